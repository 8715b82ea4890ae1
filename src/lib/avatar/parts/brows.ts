/**
 * Eyebrows: a tapered tube per side lying on the forehead. Inner, middle and outer points each
 * move up or down per deformer (browInnerUp, browDown*, browOuterUp*), as morph targets.
 */
import { Mesh, type Material } from 'three';
import { LAYOUT, surfaceNormal, surfaceZ, type Vec3 } from '../shape/head-surface';
import type { Deformer } from '../types';
import { gridIndex, morphedGeometry, newTubeRing, writeTubeRing } from './geometry';

const SAMPLES = 24;
const SEGMENTS = 10;

/** Offsets of a brow's inner end, middle and outer end, plus an inward slide of the inner end. */
interface BrowShape {
	inner: number;
	middle: number;
	outer: number;
	slide: number;
}

const BROW_DELTAS: Partial<Record<Deformer, Partial<BrowShape>>> = {
	browInnerUp: { inner: 0.09, middle: 0.035 },
	browDownLeft: { inner: -0.05, middle: -0.04, outer: -0.035, slide: 0.015 },
	browDownRight: { inner: -0.05, middle: -0.04, outer: -0.035, slide: 0.015 },
	browOuterUpLeft: { middle: 0.03, outer: 0.07 },
	browOuterUpRight: { middle: 0.03, outer: 0.07 }
};

function shapeFor(deformer: Deformer | null, side: 1 | -1): BrowShape {
	const shape = { inner: 0, middle: 0, outer: 0, slide: 0 };
	if (!deformer) return shape;
	const bothSides = !deformer.endsWith('Left') && !deformer.endsWith('Right');
	const ownSide = deformer.endsWith(side === 1 ? 'Left' : 'Right');
	const delta = bothSides || ownSide ? BROW_DELTAS[deformer] : undefined;
	for (const key of ['inner', 'middle', 'outer', 'slide'] as const) shape[key] += delta?.[key] ?? 0;
	return shape;
}

const ring = newTubeRing();
const normal: Vec3 = [0, 0, 0];

function writeBrow(side: 1 | -1, shape: BrowShape, out: Float32Array, first: number) {
	for (let j = 0; j < SAMPLES; j++) {
		const s = j / (SAMPLES - 1);
		// Quadratic through inner (s = 0), middle (0.5) and outer (1) offsets.
		const lift =
			shape.inner * (2 * s - 1) * (s - 1) +
			shape.middle * 4 * s * (1 - s) +
			shape.outer * s * (2 * s - 1);
		const x = side * (0.11 + 0.3 * s - shape.slide * (1 - s));
		const y = LAYOUT.browY + 0.055 * Math.sin(Math.PI * s * 0.9) - 0.03 * s + lift;
		surfaceNormal(x, y, normal);
		const taper = Math.sqrt(Math.max(0, 1 - (2 * s - 1) ** 6));
		ring.nx = normal[0];
		ring.ny = normal[1];
		ring.nz = normal[2];
		const uy = 1 - normal[1] * normal[1];
		const length = Math.hypot(normal[1] * normal[0], uy, normal[1] * normal[2]);
		ring.ux = (-normal[1] * normal[0]) / length;
		ring.uy = uy / length;
		ring.uz = (-normal[1] * normal[2]) / length;
		ring.cx = x + normal[0] * 0.006;
		ring.cy = y + normal[1] * 0.006;
		ring.cz = surfaceZ(x, y) + normal[2] * 0.006;
		ring.halfU = 0.03 * (1 - 0.5 * s) * taper;
		ring.halfN = 0.014 * taper + 0.002;
		writeTubeRing(ring, SEGMENTS, out, first + j * SEGMENTS);
	}
}

function browPositions(deformer: Deformer | null): Float32Array {
	const out = new Float32Array(2 * SAMPLES * SEGMENTS * 3);
	writeBrow(1, shapeFor(deformer, 1), out, 0);
	writeBrow(-1, shapeFor(deformer, -1), out, SAMPLES * SEGMENTS);
	return out;
}

/** Builds both brows in one mesh with a morph target per brow deformer. */
export function createBrows(material: Material): Mesh {
	const one = gridIndex(SEGMENTS, SAMPLES - 1, true);
	// The left brow runs toward +x and the right toward -x, so their windings are opposite.
	const mirrored = gridIndex(SEGMENTS, SAMPLES - 1, true, true);
	const index = new Uint32Array(one.length * 2);
	index.set(one);
	index.set(
		mirrored.map((v) => v + SAMPLES * SEGMENTS),
		one.length
	);
	const deformers = Object.keys(BROW_DELTAS) as Deformer[];
	const mesh = new Mesh(morphedGeometry(index, browPositions, deformers), material);
	mesh.name = 'brows';
	return mesh;
}
