import { describe, expect, it } from 'vitest';
import {
	MOUTH_DELTAS,
	NEUTRAL_MOUTH,
	lipSample,
	mouthParamsFor,
	newLipSample
} from '../../src/lib/avatar/shape/mouth-shape';
import { jawMask, skinOffset } from '../../src/lib/avatar/shape/skin-deform';
import { LAYOUT, surfaceZ, type Vec3 } from '../../src/lib/avatar/shape/head-surface';
import { DEFORMERS, isDeformer, type Deformer } from '../../src/lib/avatar/types';

const upper = (deformer: Deformer | null, s: number) =>
	lipSample(mouthParamsFor(deformer), s, true, newLipSample());
const lower = (deformer: Deformer | null, s: number) =>
	lipSample(mouthParamsFor(deformer), s, false, newLipSample());

describe('the mouth shape', () => {
	it('changes only known numbers, for known deformers', () => {
		const unknown = Object.entries(MOUTH_DELTAS).flatMap(([deformer, delta]) =>
			[deformer, ...Object.keys(delta ?? {})].filter(
				(name) => !isDeformer(name) && !(name in NEUTRAL_MOUTH)
			)
		);
		expect(unknown).toEqual([]);
	});

	it.each([null, ...DEFORMERS])('keeps both lips joined at the corners under %s', (deformer) => {
		for (const s of [-1, 1]) {
			const top = upper(deformer, s);
			const bottom = lower(deformer, s);
			expect(top.x).toBeCloseTo(bottom.x, 6);
			expect(top.y + top.dy).toBeCloseTo(bottom.y + bottom.dy, 6);
			expect(top.thick).toBeCloseTo(0, 6);
		}
	});

	it('rests closed, with the lips meeting along the seam', () => {
		expect(upper(null, 0).y).toBeCloseTo(lower(null, 0).y, 6);
		expect(upper(null, 0).thick).toBeGreaterThan(0.03);
	});

	it('drops the lower lip, not the upper one, as the jaw opens', () => {
		expect(lower('jawOpen', 0).dy).toBeLessThan(-0.2);
		expect(upper('jawOpen', 0).dy).toBeCloseTo(0, 9);
	});

	it('narrows and pushes the lips forward for a pucker', () => {
		expect(upper('mouthPucker', 1).x).toBeLessThan(upper(null, 1).x - 0.05);
		expect(upper('mouthPucker', 0).z).toBeGreaterThan(0.05);
	});

	it('lifts and widens only its own corner for a one-sided smile', () => {
		expect(upper('mouthSmileLeft', 1).y).toBeGreaterThan(upper(null, 1).y + 0.05);
		expect(upper('mouthSmileLeft', 1).x).toBeGreaterThan(upper(null, 1).x);
		expect(upper('mouthSmileLeft', -1).y).toBeCloseTo(upper(null, -1).y, 6);
	});

	it('thins rolled lips and keeps them shut', () => {
		expect(upper('mouthRollUpper', 0).thick).toBeLessThan(upper(null, 0).thick / 2);
		expect(upper('mouthRollUpper', 0).y).toBeLessThanOrEqual(lower(null, 0).y);
	});
});

describe('the skin deformation', () => {
	const out: Vec3 = [0, 0, 0];
	const chin: Vec3 = [0, -0.9, surfaceZ(0, -0.9)];
	const forehead: Vec3 = [0, 0.5, surfaceZ(0, 0.5)];

	it('drops the chin and leaves the forehead when the jaw opens', () => {
		expect(skinOffset('jawOpen', ...chin, out)[1]).toBeLessThan(-0.1);
		expect(Math.hypot(...skinOffset('jawOpen', ...forehead, out))).toBe(0);
		expect(jawMask(0, LAYOUT.mouthY + 0.1, 0.9)).toBe(0);
	});

	it('leaves the skin alone for deformers of the eyes and tongue', () => {
		for (const deformer of ['eyeBlinkLeft', 'eyeWideRight', 'tongueOut'] as const) {
			expect(Math.hypot(...skinOffset(deformer, ...chin, out)), deformer).toBe(0);
		}
	});

	it('never moves the back of the head', () => {
		const moved = DEFORMERS.filter((deformer) =>
			skinOffset(deformer, 0.1, -0.5, -0.5, out).some((value) => value !== 0)
		);
		expect(moved).toEqual([]);
	});
});
