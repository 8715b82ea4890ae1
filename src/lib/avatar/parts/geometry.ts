/**
 * Geometry helpers shared by the parts: grid indices, tubes with an elliptic cross-section, and
 * turning "positions for each deformer" into relative morph targets (positions and normals).
 */
import { BufferAttribute, BufferGeometry, Float32BufferAttribute } from 'three';
import type { Deformer } from '../types';

/** Positions of a part for the neutral face (null) or one deformer at full weight. */
export type PositionsFor = (deformer: Deformer | null) => Float32Array;

/**
 * Triangle indices for a grid of `rows + 1` rows of `cols` vertices (when `wrap`, the last
 * column joins the first, so there is no seam) or `cols + 1` vertices (open), row-major.
 */
export function gridIndex(cols: number, rows: number, wrap: boolean, flip = false): Uint32Array {
	const perRow = wrap ? cols : cols + 1;
	const out = new Uint32Array(cols * rows * 6);
	let k = 0;
	for (let j = 0; j < rows; j++) {
		for (let i = 0; i < cols; i++) {
			const i1 = wrap ? (i + 1) % cols : i + 1;
			const a = j * perRow + i;
			const b = j * perRow + i1;
			const c = (j + 1) * perRow + i;
			const d = (j + 1) * perRow + i1;
			// Counter-clockwise seen from outside when columns run right and rows run down.
			out[k++] = a;
			out[k++] = flip ? b : c;
			out[k++] = flip ? c : b;
			out[k++] = b;
			out[k++] = flip ? d : c;
			out[k++] = flip ? c : d;
		}
	}
	return out;
}

/** One ring of a tube: its centre, two unit axes, and the half extent along each. */
export interface TubeRing {
	cx: number;
	cy: number;
	cz: number;
	/** First axis (mostly "up" in the face) and the half height along it. */
	ux: number;
	uy: number;
	uz: number;
	halfU: number;
	/** Second axis (out of the skin) and the half depth along it. */
	nx: number;
	ny: number;
	nz: number;
	halfN: number;
}

/** Creates a ring to fill and pass to {@link writeTubeRing}. */
export function newTubeRing(): TubeRing {
	return { cx: 0, cy: 0, cz: 0, ux: 0, uy: 1, uz: 0, halfU: 0, nx: 0, ny: 0, nz: 1, halfN: 0 };
}

/** Writes the `segments` vertices of `ring` into `out` starting at vertex `first`. */
export function writeTubeRing(ring: TubeRing, segments: number, out: Float32Array, first: number) {
	for (let k = 0; k < segments; k++) {
		// Clockwise from the first axis toward the second, so that grid faces point outward.
		const angle = -(k / segments) * Math.PI * 2;
		const cu = Math.cos(angle) * ring.halfU;
		const sn = Math.sin(angle) * ring.halfN;
		const o = (first + k) * 3;
		out[o] = ring.cx + ring.ux * cu + ring.nx * sn;
		out[o + 1] = ring.cy + ring.uy * cu + ring.ny * sn;
		out[o + 2] = ring.cz + ring.uz * cu + ring.nz * sn;
	}
}

/**
 * Builds a geometry from the neutral positions and adds one relative morph target (position and
 * normal deltas) per deformer that moves any vertex. Morph targets are named by deformer, so
 * `mesh.morphTargetDictionary` maps ARKit names to influences.
 */
export function morphedGeometry(
	index: Uint32Array,
	positionsFor: PositionsFor,
	deformers: readonly Deformer[],
	colors?: Float32Array
): BufferGeometry {
	const base = positionsFor(null);
	const geometry = new BufferGeometry();
	geometry.setIndex(new BufferAttribute(index, 1));
	geometry.setAttribute('position', new Float32BufferAttribute(base, 3));
	if (colors) geometry.setAttribute('color', new Float32BufferAttribute(colors, 3));
	geometry.computeVertexNormals();
	const baseNormals = (geometry.getAttribute('normal') as BufferAttribute).array as Float32Array;

	const scratch = new BufferGeometry();
	scratch.setIndex(new BufferAttribute(index, 1));
	const morphPositions: Float32BufferAttribute[] = [];
	const morphNormals: Float32BufferAttribute[] = [];
	for (const deformer of deformers) {
		const moved = positionsFor(deformer);
		let largest = 0;
		for (let i = 0; i < moved.length; i++) {
			moved[i] = (moved[i] ?? 0) - (base[i] ?? 0);
			largest = Math.max(largest, Math.abs(moved[i] ?? 0));
		}
		if (largest < 1e-6) continue;
		const absolute = new Float32Array(moved.length);
		for (let i = 0; i < moved.length; i++) absolute[i] = (base[i] ?? 0) + (moved[i] ?? 0);
		scratch.setAttribute('position', new Float32BufferAttribute(absolute, 3));
		scratch.computeVertexNormals();
		const normals = (scratch.getAttribute('normal') as BufferAttribute).array as Float32Array;
		for (let i = 0; i < normals.length; i++) normals[i] = (normals[i] ?? 0) - (baseNormals[i] ?? 0);
		const position = new Float32BufferAttribute(moved, 3);
		position.name = deformer;
		const normal = new Float32BufferAttribute(normals, 3);
		normal.name = deformer;
		morphPositions.push(position);
		morphNormals.push(normal);
		scratch.deleteAttribute('normal');
	}
	scratch.dispose();
	if (morphPositions.length > 0) {
		geometry.morphAttributes.position = morphPositions;
		geometry.morphAttributes.normal = morphNormals;
		geometry.morphTargetsRelative = true;
	}
	geometry.computeBoundingSphere();
	return geometry;
}
