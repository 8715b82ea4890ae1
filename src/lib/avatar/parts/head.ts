/**
 * The skin of the head: a seamless grid in azimuth and polar angle shaped by head-surface.ts,
 * with morph targets from the skin displacement fields and vertex colours for the blush.
 */
import { Color, Mesh, type Material } from 'three';
import { LAYOUT, bump, headPoint, type Vec3 } from '../shape/head-surface';
import { skinOffset } from '../shape/skin-deform';
import { DEFORMERS, type Deformer } from '../types';
import { gridIndex, morphedGeometry } from './geometry';
import { PALETTE } from './palette';

const COLS = 72;
const ROWS = 56;

/** Rest positions of the skin grid, row 0 at the crown. */
function restPositions(): Float32Array {
	const out = new Float32Array(COLS * (ROWS + 1) * 3);
	const dir: Vec3 = [0, 0, 0];
	const point: Vec3 = [0, 0, 0];
	for (let j = 0; j <= ROWS; j++) {
		const theta = (j / ROWS) * Math.PI;
		for (let i = 0; i < COLS; i++) {
			// phi = 0 faces the camera, so the wrap-around join sits at the back of the head.
			const phi = (i / COLS) * Math.PI * 2 - Math.PI;
			dir[0] = Math.sin(theta) * Math.sin(phi);
			dir[1] = Math.cos(theta);
			dir[2] = Math.sin(theta) * Math.cos(phi);
			headPoint(dir, point);
			out.set(point, (j * COLS + i) * 3);
		}
	}
	return out;
}

/** Skin tone with blushed cheeks and a slightly rosier nose tip. */
function skinColors(rest: Float32Array): Float32Array {
	const skin = new Color(PALETTE.skin);
	const blush = new Color(PALETTE.blush);
	const mixed = new Color();
	const out = new Float32Array(rest.length);
	for (let v = 0; v < rest.length; v += 3) {
		const x = rest[v] ?? 0;
		const y = rest[v + 1] ?? 0;
		const front = (rest[v + 2] ?? 0) > 0 ? 1 : 0;
		const cheeks = 0.55 * bump(Math.abs(x), y, 0.42, LAYOUT.mouthY + 0.22, 0.13, 0.09);
		const nose = 0.25 * bump(x, y, 0, LAYOUT.noseY, 0.06, 0.05);
		mixed.copy(skin).lerp(blush, (cheeks + nose) * front);
		out[v] = mixed.r;
		out[v + 1] = mixed.g;
		out[v + 2] = mixed.b;
	}
	return out;
}

/** Builds the head skin mesh with one morph target per deformer that moves the skin. */
export function createHead(material: Material): Mesh {
	const rest = restPositions();
	const offset: Vec3 = [0, 0, 0];
	const positionsFor = (deformer: Deformer | null) => {
		const out = rest.slice();
		if (!deformer) return out;
		for (let v = 0; v < out.length; v += 3) {
			skinOffset(deformer, rest[v] ?? 0, rest[v + 1] ?? 0, rest[v + 2] ?? 0, offset);
			out[v] = (out[v] ?? 0) + offset[0];
			out[v + 1] = (out[v + 1] ?? 0) + offset[1];
			out[v + 2] = (out[v + 2] ?? 0) + offset[2];
		}
		return out;
	};
	const geometry = morphedGeometry(
		gridIndex(COLS, ROWS, true),
		positionsFor,
		DEFORMERS,
		skinColors(rest)
	);
	const mesh = new Mesh(geometry, material);
	mesh.name = 'head';
	return mesh;
}
