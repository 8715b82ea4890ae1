import { describe, expect, it } from 'vitest';
import { FaceAnimator } from '../../src/lib/avatar/animator';
import { expressionTarget } from '../../src/lib/avatar/expressions';
import { DEFORMERS, type Deformer } from '../../src/lib/avatar/types';

/** A repeatable random source (Park–Miller). */
function seeded(seed = 7): () => number {
	let state = seed;
	return () => (state = (state * 16807) % 2147483647) / 2147483647;
}

function weight(animator: FaceAnimator, name: Deformer): number {
	return animator.weights[DEFORMERS.indexOf(name)] ?? Number.NaN;
}

/** Runs the animator for `seconds` at 30 frames per second, calling `each` after every frame. */
function run(animator: FaceAnimator, seconds: number, each?: () => void): void {
	for (let t = 0; t < seconds; t += 1 / 30) {
		animator.update(1 / 30);
		each?.();
	}
}

function still(): FaceAnimator {
	const animator = new FaceAnimator({ random: seeded() });
	animator.setMotion(0);
	return animator;
}

describe('FaceAnimator', () => {
	it('eases toward the expression of the connection state', () => {
		const animator = still();
		animator.setTarget(expressionTarget('idle', 'neutral'));
		animator.update(1 / 30);
		expect(weight(animator, 'eyeBlinkLeft')).toBeLessThan(0.3);
		run(animator, 3);
		expect(weight(animator, 'eyeBlinkLeft')).toBeGreaterThan(0.85);
		expect(weight(animator, 'eyeBlinkRight')).toBeGreaterThan(0.85);
	});

	it('shapes the mouth for a viseme and reports it as the current one', () => {
		const animator = still();
		animator.setViseme('aa');
		run(animator, 1);
		expect(weight(animator, 'jawOpen')).toBeCloseTo(0.6, 2);
		expect(animator.currentViseme()).toBe('aa');
		animator.setVisemeWeights({});
		run(animator, 1);
		expect(weight(animator, 'jawOpen')).toBeLessThan(0.01);
		expect(animator.currentViseme()).toBe('sil');
	});

	it('blends weights from a lip-sync record and ignores what is not a number of a viseme', () => {
		const animator = still();
		animator.setVisemeWeights({ O: 0.5, E: 0.5 });
		run(animator, 1);
		expect(weight(animator, 'mouthPucker')).toBeCloseTo(0.5, 2);
		expect(weight(animator, 'mouthDimpleLeft')).toBeCloseTo(0.5, 2);
		expect(weight(animator, 'jawOpen')).toBeCloseTo(0.25, 2);
	});

	it('falls back to jawOpen when the head lacks the deformers of a viseme', () => {
		const available = new Set(['jawOpen', 'eyeBlinkLeft', 'eyeBlinkRight']);
		const animator = new FaceAnimator({ random: seeded(), available });
		animator.setMotion(0);
		animator.setTarget(expressionTarget('idle', 'neutral'));
		animator.setViseme('E');
		run(animator, 1);
		expect(weight(animator, 'jawOpen')).toBeCloseTo(0.35, 2);
		expect(weight(animator, 'mouthDimpleLeft')).toBe(0);
	});

	it('opens the jaw a little for viseme names it does not know', () => {
		const animator = still();
		animator.setVisemeWeights({ viseme_xx: 1 });
		run(animator, 0.5);
		expect(weight(animator, 'jawOpen')).toBeGreaterThanOrEqual(0.3);
	});

	it('blinks now and then while alive', () => {
		const animator = new FaceAnimator({ random: seeded() });
		let closures = 0;
		let closed = false;
		run(animator, 20, () => {
			const lid = weight(animator, 'eyeBlinkLeft');
			if (lid > 0.9 && !closed) closures++;
			closed = lid > 0.9;
		});
		expect(closures).toBeGreaterThanOrEqual(2);
	});

	it('holds perfectly still at motion 0: no blinks, breath or sway', () => {
		const animator = still();
		run(animator, 2);
		const pose = [animator.headYaw, animator.headPitch, animator.headRoll];
		let maxLid = 0;
		run(animator, 20, () => (maxLid = Math.max(maxLid, weight(animator, 'eyeBlinkLeft'))));
		expect(maxLid).toBe(0);
		expect(animator.breath).toBe(0);
		expect([animator.headYaw, animator.headPitch, animator.headRoll]).toEqual(
			pose.map((value) => expect.closeTo(value, 5))
		);
	});

	it('says when it is still: once eased into place at motion 0, not while easing or alive', () => {
		const animator = still();
		animator.setViseme('aa');
		animator.update(1 / 30);
		expect(animator.still).toBe(false);
		let stillAfter = -1;
		let frames = 0;
		run(animator, 5, () => {
			frames++;
			if (animator.still && stillAfter < 0) stillAfter = frames;
		});
		// The mouth lands within a few seconds, and from then on every frame is the same.
		expect(stillAfter).toBeGreaterThan(1);
		expect(animator.still).toBe(true);
		const weights = Array.from(animator.weights);
		animator.update(1 / 30);
		expect(Array.from(animator.weights)).toEqual(weights);
		animator.setViseme('sil');
		animator.update(1 / 30);
		expect(animator.still).toBe(false);

		const alive = new FaceAnimator({ random: seeded() });
		let everStill = false;
		run(alive, 10, () => (everStill ||= alive.still));
		expect(everStill).toBe(false);
	});

	it('sways and breathes when alive', () => {
		const animator = new FaceAnimator({ random: seeded() });
		const yaws = new Set<number>();
		let breaths = 0;
		run(animator, 5, () => {
			yaws.add(Math.round(animator.headYaw * 1000));
			breaths = Math.max(breaths, Math.abs(animator.breath));
		});
		expect(yaws.size).toBeGreaterThan(5);
		expect(breaths).toBeGreaterThan(0.1);
	});

	it('follows the pointer with its eyes, then returns to eye contact once the pointer rests', () => {
		const animator = still();
		animator.lookAt(1, 0);
		run(animator, 0.5);
		expect(animator.eyeYaw).toBeGreaterThan(0.3);
		animator.lookAt(0, 1);
		run(animator, 0.5);
		expect(animator.eyePitch).toBeLessThan(-0.2);
		animator.lookAt(1, 0);
		run(animator, 10);
		expect(Math.abs(animator.eyeYaw)).toBeLessThan(0.01);
	});

	it('raises the lids when the eyes look up and lowers them when they look down', () => {
		const animator = still();
		animator.lookAt(0, 1);
		run(animator, 0.5);
		expect(weight(animator, 'eyeWideLeft')).toBeGreaterThan(0.2);
		animator.lookAt(0, -1);
		run(animator, 0.5);
		expect(weight(animator, 'eyeWideLeft')).toBe(0);
		expect(weight(animator, 'eyeBlinkRight')).toBeGreaterThan(0.2);
	});

	it('glances up and to the left while backing off', () => {
		const animator = still();
		animator.setTarget(expressionTarget('backingOff', 'neutral'));
		run(animator, 3);
		expect(animator.eyeYaw).toBeLessThan(-0.1);
		expect(animator.eyePitch).toBeLessThan(-0.1);
	});

	it('greys out when the connection failed and regains colour when it opens', () => {
		const animator = still();
		animator.setTarget(expressionTarget('failed', 'neutral'));
		run(animator, 4);
		expect(animator.desaturate).toBeGreaterThan(0.7);
		animator.setTarget(expressionTarget('open', 'neutral'));
		run(animator, 4);
		expect(animator.desaturate).toBeLessThan(0.01);
	});

	it('survives nonsense time steps with finite weights in [0, 1]', () => {
		const animator = new FaceAnimator({ random: seeded() });
		animator.setViseme('aa');
		for (const dt of [Number.NaN, -1, Infinity, 0, 10]) animator.update(dt);
		const outside = Array.from(animator.weights).filter((w) => !(w >= 0 && w <= 1));
		expect(outside).toEqual([]);
		expect(Number.isFinite(animator.headYaw)).toBe(true);
	});
});
