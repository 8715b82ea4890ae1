/**
 * The parts that never change shape: a soft hair cap with a fringe, ears, neck and shoulders.
 * Hair and ears ride the head; neck and shoulders stay with the body and breathe.
 */
import {
	BufferAttribute,
	BufferGeometry,
	Color,
	CylinderGeometry,
	Float32BufferAttribute,
	Mesh,
	SphereGeometry,
	TorusGeometry,
	type Material
} from 'three';
import { headPoint, type Vec3 } from '../shape/head-surface';
import { gridIndex } from './geometry';
import { PALETTE } from './palette';

const DEG = Math.PI / 180;
const HAIR_COLS = 120;
const HAIR_ROWS = 14;

/** Polar angle (from the crown) where the hair ends, by azimuth (0 = front). */
function hairline(phi: number): number {
	const base = 88 - 32 * Math.cos(phi) + 6 * Math.cos(2 * phi);
	// A fringe of soft locks across the forehead, parted a little to the avatar's right.
	const front = Math.max(0, Math.cos(phi)) ** 2;
	const locks = 0.5 + 0.5 * Math.cos(6 * phi + 0.7);
	// The fringe sweeps from a parting on the avatar's right down toward its left.
	const sweep = 9 * Math.sin(phi) + 4;
	return (base + front * (8 * locks - 4 + sweep)) * DEG;
}

/** Builds the hair cap: a shell over the crown, thick on top, closed at the hairline. */
export function createHair(material: Material): Mesh {
	const rows = HAIR_ROWS + 1;
	const positions = new Float32Array(HAIR_COLS * (rows + 1) * 3);
	const colors = new Float32Array(positions.length);
	const dir: Vec3 = [0, 0, 0];
	const point: Vec3 = [0, 0, 0];
	const hair = new Color(PALETTE.hair);
	const shade = new Color();
	for (let j = 0; j <= rows; j++) {
		const t = Math.min(1, j / HAIR_ROWS);
		const rim = j === rows;
		for (let i = 0; i < HAIR_COLS; i++) {
			const phi = (i / HAIR_COLS) * Math.PI * 2 - Math.PI;
			const theta = hairline(phi) * t + (rim ? 1.5 * DEG : 0);
			dir[0] = Math.sin(theta) * Math.sin(phi);
			dir[1] = Math.cos(theta);
			dir[2] = Math.sin(theta) * Math.cos(phi);
			headPoint(dir, point);
			const thickness = rim ? -0.004 : 0.03 + 0.1 * Math.sqrt(1 - t * t);
			const length = Math.hypot(point[0], point[1], point[2]);
			const o = (j * HAIR_COLS + i) * 3;
			for (let k = 0; k < 3; k++) positions[o + k] = (point[k] ?? 0) * (1 + thickness / length);
			// Strands: gentle light and dark bands running from the crown.
			const strands = 0.95 + 0.05 * Math.cos(phi * 38 + t * 3);
			shade.copy(hair).multiplyScalar(strands * (0.85 + 0.15 * (1 - t)));
			shade.toArray(colors, o);
		}
	}
	const geometry = new BufferGeometry();
	geometry.setIndex(new BufferAttribute(gridIndex(HAIR_COLS, rows, true), 1));
	geometry.setAttribute('position', new Float32BufferAttribute(positions, 3));
	geometry.setAttribute('color', new Float32BufferAttribute(colors, 3));
	geometry.computeVertexNormals();
	const mesh = new Mesh(geometry, material);
	mesh.name = 'hair';
	return mesh;
}

/** Two small rounded ears on the sides of the head. */
export function createEars(material: Material): Mesh[] {
	const geometry = new SphereGeometry(1, 24, 16);
	return ([1, -1] as const).map((side) => {
		const ear = new Mesh(geometry, material);
		ear.name = side === 1 ? 'ear-left' : 'ear-right';
		ear.position.set(side * 0.92, -0.12, -0.08);
		ear.scale.set(0.08, 0.17, 0.12);
		ear.rotation.set(0, side * -0.35, side * -0.12);
		return ear;
	});
}

/** Neck, a collar and the top of the shoulders: just enough body to sit the head on. */
export function createBody(skin: Material, shirt: Material, collar: Material): Mesh[] {
	const neck = new Mesh(new CylinderGeometry(0.28, 0.33, 0.7, 32, 1, true), skin);
	neck.position.set(0, -1.0, -0.12);
	neck.name = 'neck';
	const shoulders = new Mesh(
		new SphereGeometry(1, 48, 24, 0, Math.PI * 2, 0, Math.PI * 0.6),
		shirt
	);
	shoulders.position.set(0, -1.92, -0.18);
	shoulders.scale.set(1.5, 0.62, 0.78);
	shoulders.name = 'shoulders';
	const ring = new Mesh(new TorusGeometry(0.34, 0.06, 12, 40), collar);
	ring.position.set(0, -1.33, -0.12);
	ring.rotation.x = Math.PI / 2 - 0.18;
	ring.name = 'collar';
	return [neck, shoulders, ring];
}
