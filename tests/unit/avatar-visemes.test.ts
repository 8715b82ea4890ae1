import { describe, expect, it } from 'vitest';
import { DEFORMERS, VISEMES, isDeformer } from '../../src/lib/avatar/types';
import { strongestViseme } from '../../src/lib/avatar/lipsync/visemes';
import {
	JAW_ONLY,
	VISEME_MIXES,
	visemeMatrix,
	visemeWeights
} from '../../src/lib/avatar/viseme-mixes';

describe('the viseme table', () => {
	it('has a mix for each of the 15 Oculus visemes', () => {
		expect(Object.keys(VISEME_MIXES).sort()).toEqual([...VISEMES].sort());
		expect(VISEMES).toHaveLength(15);
	});

	it.each(VISEMES)('maps %s only to known deformers with weights in [0, 1]', (viseme) => {
		const wrong = Object.entries(VISEME_MIXES[viseme]).filter(
			([name, weight]) => !isDeformer(name) || !(weight >= 0 && weight <= 1)
		);
		expect(wrong).toEqual([]);
	});

	it('keeps silence neutral and moves the mouth for every other viseme', () => {
		expect(VISEME_MIXES.sil).toEqual({});
		for (const viseme of VISEMES.filter((v) => v !== 'sil')) {
			expect(Object.keys(VISEME_MIXES[viseme]).length, viseme).toBeGreaterThan(0);
		}
	});

	it('expands paired deformers into Left and Right alike', () => {
		expect(VISEME_MIXES.E.mouthDimpleLeft).toBe(1);
		expect(VISEME_MIXES.E.mouthDimpleRight).toBe(1);
		expect(VISEME_MIXES.SS.mouthPressLeft).toBe(0.8);
		expect(VISEME_MIXES.SS.mouthPressRight).toBe(0.8);
	});

	it('gives no two visemes the same mix', () => {
		const seen = new Map<string, string>();
		for (const viseme of VISEMES) {
			const key = JSON.stringify(Object.entries(VISEME_MIXES[viseme]).sort());
			// CH and RR share TalkingHead's recipe on purpose; every other pair must differ.
			if (viseme === 'RR') continue;
			expect(seen.get(key), `${viseme} repeats ${seen.get(key)}`).toBeUndefined();
			seen.set(key, viseme);
		}
	});
});

describe('visemeWeights', () => {
	it('scales the mix by the amount', () => {
		expect(visemeWeights('aa', 0.5)).toEqual({ jawOpen: 0.3 });
		expect(visemeWeights('O', 1)).toEqual({ mouthPucker: 1, jawForward: 0.6, jawOpen: 0.2 });
	});

	it('clamps the amount to [0, 1] and treats NaN as 0', () => {
		expect(visemeWeights('aa', 3)).toEqual({ jawOpen: 0.6 });
		expect(visemeWeights('aa', -1)).toEqual({ jawOpen: 0 });
		expect(visemeWeights('aa', Number.NaN)).toEqual({ jawOpen: 0 });
	});

	it('falls back to jawOpen when the head lacks a deformer of the mix', () => {
		const jawOnly = new Set(['jawOpen', 'eyeBlinkLeft', 'eyeBlinkRight']);
		expect(visemeWeights('E', 1, jawOnly)).toEqual({ jawOpen: 0.35 });
		expect(visemeWeights('U', 0.5, jawOnly)).toEqual({ jawOpen: JAW_ONLY.U * 0.5 });
		expect(visemeWeights('PP', 1, jawOnly)).toEqual({ jawOpen: 0 });
	});

	it('keeps the deformers the head has and opens the jaw no less than the mix does', () => {
		const partial = new Set(['jawOpen', 'mouthPucker']);
		expect(visemeWeights('O', 1, partial)).toEqual({ mouthPucker: 1, jawOpen: JAW_ONLY.O });
	});

	it('returns nothing rather than throwing when even jawOpen is missing', () => {
		expect(visemeWeights('aa', 1, new Set())).toEqual({});
	});

	it('opens the jaw a little for a viseme name it does not know', () => {
		expect(visemeWeights('XX', 1)).toEqual({ jawOpen: 0.3 });
		expect(visemeWeights('XX', 0)).toEqual({});
	});
});

describe('visemeMatrix', () => {
	it('holds each viseme mix as a row over all deformers', () => {
		const matrix = visemeMatrix();
		expect(matrix).toHaveLength(VISEMES.length * DEFORMERS.length);
		const row = VISEMES.indexOf('aa');
		const column = DEFORMERS.indexOf('jawOpen');
		expect(matrix[row * DEFORMERS.length + column]).toBeCloseTo(0.6);
		expect(Array.from(matrix.subarray(0, DEFORMERS.length)).every((w) => w === 0)).toBe(true);
	});

	it('applies the jawOpen fallback for the deformers it is told are missing', () => {
		const matrix = visemeMatrix(new Set(['jawOpen']));
		const row = VISEMES.indexOf('E');
		const weights = Array.from(
			matrix.subarray(row * DEFORMERS.length, (row + 1) * DEFORMERS.length)
		);
		expect(weights[DEFORMERS.indexOf('jawOpen')]).toBeCloseTo(0.35);
		expect(weights.filter((w) => w > 0)).toHaveLength(1);
	});
});

describe('strongestViseme', () => {
	it('picks the heaviest viseme', () => {
		expect(strongestViseme({ aa: 0.2, O: 0.7, E: 0.1 })).toBe('O');
	});

	it('reports silence for weak, empty or missing weights', () => {
		expect(strongestViseme({ aa: 0.01 })).toBe('sil');
		expect(strongestViseme({})).toBe('sil');
		expect(strongestViseme(null)).toBe('sil');
		expect(strongestViseme(undefined)).toBe('sil');
	});

	it('ignores names that are not visemes', () => {
		expect(strongestViseme({ viseme_aa: 1, kk: 0.4 })).toBe('kk');
	});
});
