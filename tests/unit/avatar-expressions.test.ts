import { describe, expect, it } from 'vitest';
import {
	MOOD_LAYERS,
	MOOD_WEIGHT,
	STATE_FACES,
	expressionTarget
} from '../../src/lib/avatar/expressions';
import { CONNECTION_STATES, FACE_MOODS, isDeformer } from '../../src/lib/avatar/types';

const pairs = CONNECTION_STATES.flatMap((state) =>
	FACE_MOODS.map((mood) => [state, mood] as const)
);

describe('expressionTarget', () => {
	it.each(pairs)('returns a complete, bounded face for %s + %s', (state, mood) => {
		const face = expressionTarget(state, mood);
		const badDeformers = Object.entries(face.deformers).filter(
			([name, weight]) => !isDeformer(name) || !(weight >= 0 && weight <= 1)
		);
		expect(badDeformers).toEqual([]);
		expect(Math.abs(face.gazeX)).toBeLessThanOrEqual(1);
		expect(Math.abs(face.gazeY)).toBeLessThanOrEqual(1);
		expect(face.eyeContact).toBeGreaterThanOrEqual(0);
		expect(face.eyeContact).toBeLessThanOrEqual(1);
		expect(face.blinkInterval).toBeGreaterThan(face.blinkDuration);
		expect(face.breathRate).toBeGreaterThan(0);
		expect(face.desaturate).toBeGreaterThanOrEqual(0);
		expect(face.desaturate).toBeLessThanOrEqual(1);
	});

	it('closes the eyes and slows the breath when idle: asleep', () => {
		const face = expressionTarget('idle', 'neutral');
		expect(face.deformers.eyeBlinkLeft).toBeGreaterThan(0.8);
		expect(face.deformers.eyeBlinkRight).toBeGreaterThan(0.8);
		expect(face.breathRate).toBeLessThan(STATE_FACES.open.breathRate);
		expect(face.eyeContact).toBe(0);
	});

	it('raises the brows and lets the eyes wander while connecting', () => {
		const face = expressionTarget('connecting', 'neutral');
		expect(face.deformers.browInnerUp).toBeGreaterThan(0);
		expect(face.deformers.browOuterUpLeft).toBeGreaterThan(0);
		expect(face.gazeWander).toBe(1);
	});

	it('smiles lightly with full eye contact when open', () => {
		const face = expressionTarget('open', 'neutral');
		expect(face.deformers.mouthSmileLeft).toBeGreaterThan(0);
		expect(face.deformers.mouthSmileRight).toBeGreaterThan(0);
		expect(face.eyeContact).toBe(1);
	});

	it('looks worried when stale: inner brows up and a small frown', () => {
		const face = expressionTarget('stale', 'neutral');
		expect(face.deformers.browInnerUp).toBeGreaterThan(0.5);
		expect(face.deformers.mouthFrownLeft).toBeGreaterThan(0);
	});

	it('glances up and to the left, toward the badge, and blinks slowly while backing off', () => {
		const face = expressionTarget('backingOff', 'neutral');
		expect(face.gazeX).toBeLessThan(0);
		expect(face.gazeY).toBeGreaterThan(0);
		expect(face.blinkDuration).toBeGreaterThan(STATE_FACES.open.blinkDuration);
	});

	it('is sad and greyed out when failed', () => {
		const face = expressionTarget('failed', 'neutral');
		expect(face.desaturate).toBeGreaterThan(0.5);
		expect(face.deformers.browInnerUp).toBeGreaterThan(0);
		expect(face.deformers.browDownLeft).toBeGreaterThan(0);
		expect(face.deformers.mouthFrownLeft).toBeGreaterThan(0);
		for (const state of CONNECTION_STATES.filter((s) => s !== 'failed')) {
			expect(expressionTarget(state, 'neutral').desaturate, state).toBe(0);
		}
	});

	it('adds the mood in full when open, so a happy answer smiles more', () => {
		const neutral = expressionTarget('open', 'neutral');
		const happy = expressionTarget('open', 'happy');
		const expected =
			(neutral.deformers.mouthSmileLeft ?? 0) + (MOOD_LAYERS.happy.deformers.mouthSmileLeft ?? 0);
		expect(happy.deformers.mouthSmileLeft).toBeCloseTo(Math.min(1, expected));
		expect(happy.deformers.cheekSquintLeft).toBeGreaterThan(neutral.deformers.cheekSquintLeft ?? 0);
	});

	it('ignores the mood while asleep', () => {
		expect(expressionTarget('idle', 'happy')).toEqual(expressionTarget('idle', 'neutral'));
		expect(MOOD_WEIGHT.idle).toBe(0);
	});

	it('looks away to think, and sad moods lower the gaze', () => {
		expect(expressionTarget('open', 'thinking').gazeY).toBeGreaterThan(0);
		expect(expressionTarget('open', 'thinking').eyeContact).toBeLessThan(1);
		expect(expressionTarget('open', 'sad').gazeY).toBeLessThan(0);
	});

	it('does not change the shared state faces when blending', () => {
		const before = JSON.stringify(STATE_FACES);
		expressionTarget('open', 'happy');
		expressionTarget('failed', 'sad');
		expect(JSON.stringify(STATE_FACES)).toBe(before);
	});
});
