import { describe, expect, it } from 'vitest';
import { DEFORMERS, VISEMES } from '../../src/lib/avatar/types';
import {
	VISEME_VOWELS,
	VRM_VOWELS,
	hasNothingToDrive,
	planFace,
	visemeMorphName
} from '../../src/lib/avatar/model/face-plan';

const RPM_NAMES = [...VISEMES.map(visemeMorphName), ...DEFORMERS];

describe('planning how a model is driven', () => {
	it('drives a Ready Player Me model mouth by its viseme morphs, and the face by ARKit shapes', () => {
		const plan = planFace({ names: new Set(RPM_NAMES), vrm: false, head: true, eyes: true });
		expect(plan.mouth).toBe('visemes');
		expect(plan.visemes).toEqual(VISEMES.filter((v) => v !== 'sil'));
		expect(plan.deformers).toEqual([...DEFORMERS]);
		// The visemes move the mouth; the ARKit mouth shapes are not added on top.
		expect([...plan.visemeDeformers]).toEqual([]);
		expect(plan.problems).toEqual([]);
	});

	it('shapes visemes from ARKit mouth shapes when a model has no viseme morphs', () => {
		const plan = planFace({ names: new Set(DEFORMERS), vrm: false, head: true, eyes: true });
		expect(plan.mouth).toBe('arkit');
		expect(plan.visemeDeformers.has('jawOpen')).toBe(true);
		expect(plan.visemeDeformers.has('mouthFunnel')).toBe(true);
		expect(plan.visemeDeformers.has('eyeBlinkLeft')).toBe(false);
	});

	it('says what a model lacks, in words', () => {
		const plan = planFace({ names: new Set(['jawOpen']), vrm: false, head: false, eyes: false });
		expect(plan.mouth).toBe('jaw');
		expect(plan.problems).toEqual([
			'only jawOpen for the mouth: lip sync opens and closes the jaw',
			'no blink shapes: the eyes will not blink',
			'no expression shapes (smile, frown, brows): moods will not show',
			'no head bone: the head will not move',
			'no eye bones: the eyes will not follow you'
		]);
		expect(hasNothingToDrive(plan)).toBe(false);
	});

	it('names the visemes a partial set lacks', () => {
		const names = new Set([
			'viseme_aa',
			'viseme_O',
			'eyeBlinkLeft',
			'eyeBlinkRight',
			'mouthSmileLeft'
		]);
		const plan = planFace({ names, vrm: false, head: true, eyes: true });
		expect(plan.problems).toHaveLength(1);
		expect(plan.problems[0]).toMatch(
			/^no viseme_PP, viseme_FF, .*viseme_U: those sounds leave the mouth still$/
		);
	});

	it('finds nothing to drive in a model without morphs and head', () => {
		const plan = planFace({ names: new Set(['Key 1']), vrm: false, head: false, eyes: false });
		expect(plan.mouth).toBe('none');
		expect(hasNothingToDrive(plan)).toBe(true);
		expect(plan.problems[0]).toBe('no visemes or mouth shapes: the mouth will not move');
	});

	it('drives a VRM by its vowels and presets, blinking each eye when it can', () => {
		const names = new Set([
			'aa',
			'ih',
			'ou',
			'ee',
			'oh',
			'happy',
			'sad',
			'blink',
			'blinkLeft',
			'blinkRight',
			'neutral'
		]);
		const plan = planFace({ names, vrm: true, head: true, eyes: true });
		expect(plan.mouth).toBe('vowels');
		expect(plan.presets).toEqual(['happy', 'sad', 'blinkLeft', 'blinkRight']);
		expect(plan.blink).toBe(true);
		expect(plan.problems).toEqual([]);
	});

	it('prefers a VRM’s ARKit-named expressions (perfect sync) to the presets they would double', () => {
		const names = new Set(['aa', 'happy', 'mouthSmileLeft', 'mouthSmileRight', 'blink']);
		const plan = planFace({ names, vrm: true, head: true, eyes: true });
		expect(plan.deformers).toEqual(['mouthSmileLeft', 'mouthSmileRight']);
		expect(plan.presets).toEqual(['blink']);
	});

	it('maps each viseme to VRM vowels with weights in [0, 1], silence and closed lips to none', () => {
		expect(Object.keys(VISEME_VOWELS).sort()).toEqual([...VISEMES].sort());
		expect(VISEME_VOWELS.sil).toEqual([0, 0, 0, 0, 0]);
		expect(VISEME_VOWELS.PP).toEqual([0, 0, 0, 0, 0]);
		expect(VISEME_VOWELS.aa).toEqual([1, 0, 0, 0, 0]);
		expect(VISEME_VOWELS.O).toEqual([0, 0, 0, 0, 1]);
		for (const mix of Object.values(VISEME_VOWELS)) {
			expect(mix).toHaveLength(VRM_VOWELS.length);
			for (const weight of mix) {
				expect(weight).toBeGreaterThanOrEqual(0);
				expect(weight).toBeLessThanOrEqual(1);
			}
		}
	});
});
