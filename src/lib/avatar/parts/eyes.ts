/**
 * Eyes and lids. Each eyeball is a sphere whose front pole carries a painted iris and pupil
 * (a canvas texture drawn here, nothing downloaded) and turns for gaze. The lids are spherical
 * shells a little larger than the eyeball, hinged at the eye corners; blink, wide, squint and
 * cheek squint move their edges, as morph targets.
 */
import {
	CanvasTexture,
	CircleGeometry,
	Color,
	Group,
	Mesh,
	SRGBColorSpace,
	SphereGeometry,
	type Material,
	type Texture
} from 'three';
import { LAYOUT, surfaceZ } from '../shape/head-surface';
import type { Deformer } from '../types';
import { gridIndex, morphedGeometry } from './geometry';
import { PALETTE } from './palette';

const DEG = Math.PI / 180;
const R = LAYOUT.eyeRadius;
const UPPER_RADIUS = R * 1.1;
const LOWER_RADIUS = R * 1.065;
const COLS = 28;
const SHELL_ROWS = 10;
/** How the outer corner of each eye lifts, and how far each eye turns outward. */
const TILT = 7 * DEG;
const YAW = 12 * DEG;

/** Lid edges in degrees above (+) or below (-) the eye's centre line. */
interface LidEdges {
	upper: number;
	lower: number;
}

const NEUTRAL: LidEdges = { upper: 32, lower: -38 };

const LID_DELTAS: Partial<Record<Deformer, Partial<LidEdges>>> = {
	eyeBlinkLeft: { upper: -46, lower: 22 },
	eyeBlinkRight: { upper: -46, lower: 22 },
	eyeWideLeft: { upper: 14, lower: -4 },
	eyeWideRight: { upper: 14, lower: -4 },
	eyeSquintLeft: { upper: -6, lower: 14 },
	eyeSquintRight: { upper: -6, lower: 14 },
	cheekSquintLeft: { lower: 8 },
	cheekSquintRight: { lower: 8 }
};

/** Centre of the left (+1) or right (-1) eyeball in head coordinates. */
export function eyeCentre(side: 1 | -1): [number, number, number] {
	const x = side * LAYOUT.eyeX;
	return [x, LAYOUT.eyeY, surfaceZ(x, LAYOUT.eyeY) - 0.45 * R];
}

/** Rows of one lid: a rolled rim (thickness toward the eye) then the shell over the eye. */
function lidRows(edge: number, upper: boolean): { radius: number; angle: number }[] {
	const far = upper ? 150 : -150;
	const dir = upper ? 1 : -1;
	const shell = upper ? UPPER_RADIUS : LOWER_RADIUS;
	const rows = [
		{ radius: R * 1.01, angle: edge },
		{ radius: shell, angle: edge + dir * 3 }
	];
	for (let k = 1; k <= SHELL_ROWS; k++) {
		const start = edge + dir * 3;
		rows.push({ radius: shell, angle: start + (far - start) * (k / SHELL_ROWS) });
	}
	return rows;
}

/** Writes one eye's upper and lower lid vertices, rotated into place, from `first`. */
function writeLids(side: 1 | -1, edges: LidEdges, out: Float32Array, first: number): number {
	const [cx, cy, cz] = eyeCentre(side);
	const cosT = Math.cos(side * TILT);
	const sinT = Math.sin(side * TILT);
	const cosY = Math.cos(side * YAW);
	const sinY = Math.sin(side * YAW);
	let v = first;
	for (const upper of [true, false]) {
		for (const row of lidRows(upper ? edges.upper : edges.lower, upper)) {
			for (let i = 0; i <= COLS; i++) {
				// Hinged at the corners: lambda sweeps corner to corner, alpha is the lid's angle.
				const lambda = (-90 + (180 * i) / COLS) * DEG;
				const alpha = row.angle * DEG;
				const x0 = row.radius * Math.sin(lambda);
				const y0 = row.radius * Math.cos(lambda) * Math.sin(alpha);
				const z0 = row.radius * Math.cos(lambda) * Math.cos(alpha);
				const x1 = x0 * cosT - y0 * sinT;
				const y1 = x0 * sinT + y0 * cosT;
				out[v * 3] = cx + x1 * cosY + z0 * sinY;
				out[v * 3 + 1] = cy + y1;
				out[v * 3 + 2] = cz - x1 * sinY + z0 * cosY;
				v++;
			}
		}
	}
	return v;
}

const ROWS_PER_LID = SHELL_ROWS + 2;
const VERTS_PER_LID = ROWS_PER_LID * (COLS + 1);

function lidPositions(deformer: Deformer | null): Float32Array {
	const out = new Float32Array(VERTS_PER_LID * 4 * 3);
	let v = 0;
	for (const side of [1, -1] as const) {
		const edges = { ...NEUTRAL };
		const ownSide = deformer?.endsWith(side === 1 ? 'Left' : 'Right');
		const delta = deformer && ownSide ? LID_DELTAS[deformer] : undefined;
		edges.upper += delta?.upper ?? 0;
		edges.lower += delta?.lower ?? 0;
		v = writeLids(side, edges, out, v);
	}
	return out;
}

/** Skin-coloured lids with a dark lash line along the upper rim. */
function lidColors(): Float32Array {
	const skin = new Color(PALETTE.skin);
	const lash = new Color(PALETTE.lash);
	const rim = new Color(PALETTE.skin).lerp(new Color(PALETTE.blush), 0.2);
	const out = new Float32Array(VERTS_PER_LID * 4 * 3);
	for (let lid = 0; lid < 4; lid++) {
		const upper = lid % 2 === 0;
		for (let row = 0; row < ROWS_PER_LID; row++) {
			const colour = row < 2 ? (upper ? lash : rim) : skin;
			for (let i = 0; i <= COLS; i++)
				colour.toArray(out, ((lid * ROWS_PER_LID + row) * (COLS + 1) + i) * 3);
		}
	}
	return out;
}

function lidIndex(): Uint32Array {
	const one = gridIndex(COLS, ROWS_PER_LID - 1, false);
	const flipped = gridIndex(COLS, ROWS_PER_LID - 1, false, true);
	const out = new Uint32Array(one.length * 4);
	for (let lid = 0; lid < 4; lid++) {
		// Upper lid rows climb, lower lid rows descend, so their windings are opposite.
		const source = lid % 2 === 0 ? flipped : one;
		out.set(
			source.map((v) => v + lid * VERTS_PER_LID),
			lid * one.length
		);
	}
	return out;
}

/** Paints sclera, iris and pupil as bands from the front pole backward (v = 1 at the pole). */
function irisTexture(): Texture {
	const canvas = document.createElement('canvas');
	canvas.width = 64;
	canvas.height = 256;
	const ctx = canvas.getContext('2d');
	if (ctx) {
		const hex = (value: number) => `#${value.toString(16).padStart(6, '0')}`;
		const bands = ctx.createLinearGradient(0, 0, 0, canvas.height);
		bands.addColorStop(0, hex(PALETTE.pupil));
		bands.addColorStop(0.085, hex(PALETTE.pupil));
		bands.addColorStop(0.1, hex(PALETTE.irisDark));
		bands.addColorStop(0.16, hex(PALETTE.iris));
		bands.addColorStop(0.205, hex(PALETTE.iris));
		bands.addColorStop(0.225, hex(PALETTE.irisDark));
		bands.addColorStop(0.235, hex(PALETTE.sclera));
		bands.addColorStop(1, hex(PALETTE.sclera));
		ctx.fillStyle = bands;
		ctx.fillRect(0, 0, canvas.width, canvas.height);
		// Fine radial streaks in the iris.
		ctx.globalAlpha = 0.18;
		ctx.fillStyle = hex(PALETTE.irisDark);
		for (let x = 0; x < canvas.width; x += 4) ctx.fillRect(x, 26, 1, 30);
	}
	const texture = new CanvasTexture(canvas);
	texture.colorSpace = SRGBColorSpace;
	return texture;
}

/** Materials of the eyes, made by the caller so it can dispose and tint them. */
export interface EyeMaterials {
	eyeball: Material & { map: Texture | null };
	lids: Material;
	catchlight: Material;
}

/** The eyes: a turnable eyeball per side (index 0 left, 1 right) and one mesh for all lids. */
export interface Eyes {
	eyeballs: [Group, Group];
	lids: Mesh;
	extras: Mesh[];
}

/** Builds both eyes, their lids and catchlights; the iris texture goes on `materials.eyeball`. */
export function createEyes(materials: EyeMaterials): Eyes {
	materials.eyeball.map = irisTexture();
	const ballGeometry = new SphereGeometry(R, 40, 28);
	// Put the sphere's pole (where the texture's top row sits) at the front.
	ballGeometry.rotateX(Math.PI / 2);
	const lightGeometry = new CircleGeometry(R * 0.16, 16);
	const extras: Mesh[] = [];
	const eyeballs = ([1, -1] as const).map((side) => {
		const [cx, cy, cz] = eyeCentre(side);
		const pivot = new Group();
		pivot.position.set(cx, cy, cz);
		pivot.name = side === 1 ? 'eye-left' : 'eye-right';
		pivot.add(new Mesh(ballGeometry, materials.eyeball));
		// The catchlight reflects the key light, so it stays put while the eye turns.
		const light = new Mesh(lightGeometry, materials.catchlight);
		light.position
			.set(-0.38, 0.42, 0.82)
			.normalize()
			.multiplyScalar(R * 1.004);
		light.lookAt(light.position.clone().multiplyScalar(2));
		light.position.add(pivot.position);
		extras.push(light);
		return pivot;
	}) as [Group, Group];
	const deformers = Object.keys(LID_DELTAS) as Deformer[];
	const lids = new Mesh(
		morphedGeometry(lidIndex(), lidPositions, deformers, lidColors()),
		materials.lids
	);
	lids.name = 'lids';
	return { eyeballs, lids, extras };
}
