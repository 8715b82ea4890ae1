/**
 * The mouth: two lips (tubes along the lip lines), the dark interior between them, teeth and a
 * tongue. The interior marks the stencil buffer; teeth and tongue draw only inside it, so they
 * show exactly where the lips part and need no cavity cut into the head.
 */
import {
	Color,
	EqualStencilFunc,
	Mesh,
	ReplaceStencilOp,
	type BufferGeometry,
	type Material
} from 'three';
import { LAYOUT, surfaceNormal, surfaceZ, type Vec3 } from '../shape/head-surface';
import {
	MOUTH_DELTAS,
	lipSample,
	mouthParamsFor,
	newLipSample,
	type MouthParams
} from '../shape/mouth-shape';
import { jawMotion } from '../shape/skin-deform';
import type { Deformer } from '../types';
import { gridIndex, morphedGeometry, newTubeRing, writeTubeRing } from './geometry';
import { PALETTE } from './palette';

const SAMPLES = 41;
const SEGMENTS = 14;
const FILL_ROWS = 4;
const MOUTH_DEFORMERS = Object.keys(MOUTH_DELTAS) as Deformer[];

const sample = newLipSample();
const ring = newTubeRing();
const normal: Vec3 = [0, 0, 0];
const motion: Vec3 = [0, 0, 0];

/** Lip tubes: upper lip rings, then lower lip rings, right corner to left corner. */
function lipPositions(p: MouthParams): Float32Array {
	const out = new Float32Array(2 * SAMPLES * SEGMENTS * 3);
	for (let tube = 0; tube < 2; tube++) {
		const upper = tube === 0;
		for (let j = 0; j < SAMPLES; j++) {
			lipSample(p, -1 + (2 * j) / (SAMPLES - 1), upper, sample);
			const y = LAYOUT.mouthY + sample.y;
			surfaceNormal(sample.x, y, normal);
			// "Up" along the skin: world up without its component along the normal.
			const ux = -normal[1] * normal[0];
			const uy = 1 - normal[1] * normal[1];
			const uz = -normal[1] * normal[2];
			const length = Math.hypot(ux, uy, uz);
			const half = sample.thick / 2;
			const toward = upper ? half : -half;
			ring.ux = ux / length;
			ring.uy = uy / length;
			ring.uz = uz / length;
			ring.nx = normal[0];
			ring.ny = normal[1];
			ring.nz = normal[2];
			ring.cx = sample.x + ring.ux * toward;
			ring.cy = y + ring.uy * toward + sample.dy;
			ring.cz = surfaceZ(sample.x, y) + sample.z + ring.uz * toward + sample.dz;
			ring.halfU = half;
			ring.halfN = sample.depth;
			writeTubeRing(ring, SEGMENTS, out, (tube * SAMPLES + j) * SEGMENTS);
		}
	}
	return out;
}

/** The interior: a strip from the upper lip's inner line to the lower lip's. */
function fillPositions(p: MouthParams): Float32Array {
	const out = new Float32Array(SAMPLES * (FILL_ROWS + 1) * 3);
	for (let i = 0; i < SAMPLES; i++) {
		const s = -1 + (2 * i) / (SAMPLES - 1);
		lipSample(p, s, true, sample);
		const ux = sample.x;
		const uy = LAYOUT.mouthY + sample.y + sample.dy;
		const uz = surfaceZ(sample.x, LAYOUT.mouthY + sample.y) + sample.z + sample.dz;
		lipSample(p, s, false, sample);
		const lx = sample.x;
		const ly = LAYOUT.mouthY + sample.y + sample.dy;
		const lz = surfaceZ(sample.x, LAYOUT.mouthY + sample.y) + sample.z + sample.dz;
		for (let j = 0; j <= FILL_ROWS; j++) {
			const t = j / FILL_ROWS;
			const o = (j * SAMPLES + i) * 3;
			out[o] = ux + (lx - ux) * t;
			out[o + 1] = uy + (ly - uy) * t;
			out[o + 2] = uz + (lz - uz) * t;
		}
	}
	return out;
}

/** Shadow under the upper lip fading to the dark red of the mouth. */
function fillColors(): Float32Array {
	const deep = new Color(PALETTE.mouthDeep);
	const mouth = new Color(PALETTE.mouth);
	const mixed = new Color();
	const out = new Float32Array(SAMPLES * (FILL_ROWS + 1) * 3);
	for (let j = 0; j <= FILL_ROWS; j++) {
		mixed.copy(deep).lerp(mouth, j / FILL_ROWS);
		for (let i = 0; i < SAMPLES; i++) mixed.toArray(out, (j * SAMPLES + i) * 3);
	}
	return out;
}

/** A row of teeth between two heights, curving back at the sides, moved by the jaw by `jaw`. */
function teethPositions(p: MouthParams, top: number, bottom: number, jaw: number): Float32Array {
	const cols = 24;
	const rows = 3;
	const out = new Float32Array((cols + 1) * (rows + 1) * 3);
	for (let j = 0; j <= rows; j++) {
		for (let i = 0; i <= cols; i++) {
			const s = -1 + (2 * i) / cols;
			const x = s * 0.135;
			const y = LAYOUT.mouthY + top + (bottom - top) * (j / rows);
			const z = surfaceZ(x, y) + 0.004 - 0.03 * s * s;
			jawMotion(y, z, p.jaw * jaw, p.jawForward * jaw, motion);
			const o = (j * (cols + 1) + i) * 3;
			out[o] = x;
			out[o + 1] = y + motion[1];
			out[o + 2] = z + motion[2];
		}
	}
	return out;
}

const TONGUE_RINGS = 6;
const TONGUE_SEGMENTS = 20;

/** A domed oval resting on the lower teeth; it rides the jaw and slides out with tongueOut. */
function tonguePositions(p: MouthParams): Float32Array {
	const out = new Float32Array((TONGUE_RINGS + 1) * TONGUE_SEGMENTS * 3);
	for (let j = 0; j <= TONGUE_RINGS; j++) {
		const rho = j / TONGUE_RINGS;
		for (let i = 0; i < TONGUE_SEGMENTS; i++) {
			const angle = -(i / TONGUE_SEGMENTS) * Math.PI * 2;
			const x = Math.cos(angle) * 0.11 * rho;
			const y = LAYOUT.mouthY - 0.085 + Math.sin(angle) * 0.055 * rho;
			const z = surfaceZ(x, y) + 0.006 + 0.012 * (1 - rho * rho);
			jawMotion(y, z, p.jaw * 0.65, p.jawForward * 0.65, motion);
			const o = (j * TONGUE_SEGMENTS + i) * 3;
			out[o] = x;
			out[o + 1] = y + motion[1] + 0.05 * p.tongueOut;
			out[o + 2] = z + motion[2] + 0.05 * p.tongueOut;
		}
	}
	return out;
}

function build(
	positions: (p: MouthParams) => Float32Array,
	index: Uint32Array,
	deformers: readonly Deformer[],
	colors?: Float32Array
): BufferGeometry {
	return morphedGeometry(index, (d) => positions(mouthParamsFor(d)), deformers, colors);
}

/** Materials of the mouth, made by the caller so it can dispose and tint them. */
export interface MouthMaterials {
	lips: Material;
	interior: Material;
	teeth: Material;
	tongue: Material;
}

/** Draw order: skin, interior (marks the stencil), upper teeth, tongue, lower teeth, lips. */
const ORDER = { interior: 1, upperTeeth: 2, tongue: 3, lowerTeeth: 4, lips: 5 } as const;

/** Builds lips, interior, teeth and tongue, and sets up the stencil on their materials. */
export function createMouth(materials: MouthMaterials): Mesh[] {
	const tubeIndex = gridIndex(SEGMENTS, SAMPLES - 1, true);
	const lipIndex = new Uint32Array(tubeIndex.length * 2);
	lipIndex.set(tubeIndex);
	lipIndex.set(
		tubeIndex.map((v) => v + SAMPLES * SEGMENTS),
		tubeIndex.length
	);
	const lips = new Mesh(build(lipPositions, lipIndex, MOUTH_DEFORMERS), materials.lips);

	const interior = new Mesh(
		build(fillPositions, gridIndex(SAMPLES - 1, FILL_ROWS, false), MOUTH_DEFORMERS, fillColors()),
		materials.interior
	);
	Object.assign(materials.interior, {
		depthTest: false,
		stencilWrite: true,
		stencilRef: 1,
		stencilZPass: ReplaceStencilOp
	});
	// Inside the mouth, draw order alone decides what covers what, and the stencil clips all of
	// it to the opening; the lips, drawn last with depth testing, then cover the edges.
	for (const inside of [materials.teeth, materials.tongue]) {
		Object.assign(inside, {
			depthTest: false,
			stencilWrite: true,
			stencilRef: 1,
			stencilFunc: EqualStencilFunc
		});
	}

	const jawOnly: Deformer[] = ['jawOpen', 'jawForward'];
	const teethIndex = gridIndex(24, 3, false);
	const upperTeeth = new Mesh(
		build((p) => teethPositions(p, 0.035, -0.05, 0), teethIndex, []),
		materials.teeth
	);
	const lowerTeeth = new Mesh(
		build((p) => teethPositions(p, -0.03, -0.1, 1), teethIndex, jawOnly),
		materials.teeth
	);
	const tongue = new Mesh(
		build(tonguePositions, gridIndex(TONGUE_SEGMENTS, TONGUE_RINGS, true, true), [
			...jawOnly,
			'tongueOut'
		]),
		materials.tongue
	);

	lips.name = 'lips';
	interior.name = 'mouth-interior';
	upperTeeth.name = 'upper-teeth';
	lowerTeeth.name = 'lower-teeth';
	tongue.name = 'tongue';
	interior.renderOrder = ORDER.interior;
	upperTeeth.renderOrder = ORDER.upperTeeth;
	lowerTeeth.renderOrder = ORDER.lowerTeeth;
	tongue.renderOrder = ORDER.tongue;
	lips.renderOrder = ORDER.lips;
	return [interior, upperTeeth, lowerTeeth, tongue, lips];
}
