import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameLoop, QUALITY_LADDER, type FrameQuality } from '../../src/lib/avatar/frame-loop';

/** requestAnimationFrame by hand: `frame(t)` runs the callbacks asked for so far at time t. */
class Frames {
	callbacks = new Map<number, FrameRequestCallback>();
	next = 1;
	hidden = false;
	listeners = new Set<() => void>();

	request = (callback: FrameRequestCallback): number => {
		this.callbacks.set(this.next, callback);
		return this.next++;
	};
	cancel = (id: number): void => {
		this.callbacks.delete(id);
	};
	frame(t: number): void {
		const due = [...this.callbacks.values()];
		this.callbacks.clear();
		for (const callback of due) callback(t);
	}
	get asked(): boolean {
		return this.callbacks.size > 0;
	}
	setHidden(hidden: boolean): void {
		this.hidden = hidden;
		for (const listener of this.listeners) listener();
	}
}

let frames: Frames;

beforeEach(() => {
	frames = new Frames();
	vi.stubGlobal('requestAnimationFrame', frames.request);
	vi.stubGlobal('cancelAnimationFrame', frames.cancel);
	vi.stubGlobal('document', {
		get hidden() {
			return frames.hidden;
		},
		addEventListener: (_: string, listener: () => void) => frames.listeners.add(listener),
		removeEventListener: (_: string, listener: () => void) => frames.listeners.delete(listener)
	});
});

afterEach(() => {
	vi.unstubAllGlobals();
});

/** A loop whose steps each take `cost()` ms on its clock. */
function costlyLoop(
	cost: () => number,
	onQuality?: (quality: FrameQuality) => void,
	adaptive?: boolean
) {
	let clock = 0;
	const steps: number[] = [];
	const loop = new FrameLoop(
		(dt) => {
			steps.push(dt);
			clock += cost();
		},
		{ maxFps: 30, onQuality, now: () => clock, adaptive }
	);
	return { loop, steps };
}

/** Runs 60 Hz display frames from `from` for `seconds`. */
function run(from: number, seconds: number): number {
	let t = from;
	for (let i = 0; i < seconds * 60; i += 1) frames.frame((t += 1000 / 60));
	return t;
}

describe('FrameLoop', () => {
	it('steps at its cap and keeps full quality while steps are cheap', () => {
		const { loop, steps } = costlyLoop(() => 1);
		loop.start();
		run(0, 5);
		expect(steps.length).toBeGreaterThan(140);
		expect(loop.fps).toBeCloseTo(30, 0);
		expect(loop.quality).toEqual(QUALITY_LADDER[0]);
	});

	it('steps down the quality ladder while steps take more than their share, and back up once cheap', () => {
		let cost = 20; // 20 ms x 30 fps = 60% of the main thread
		const told: FrameQuality[] = [];
		const { loop } = costlyLoop(
			() => cost,
			(quality) => told.push(quality)
		);
		loop.start();
		let t = run(0, 10);
		expect(loop.quality).toEqual(QUALITY_LADDER.at(-1));
		expect(loop.fpsCap).toBeLessThan(30);
		expect(told.at(-1)?.pixelScale).toBeLessThan(1);
		cost = 0.5;
		t = run(t, 30);
		expect(loop.quality).toEqual(QUALITY_LADDER[0]);
		expect(told.at(-1)?.pixelScale).toBe(1);
		expect(t).toBeGreaterThan(0);
	});

	it('holds the best quality however costly the steps when not adaptive', () => {
		const told: FrameQuality[] = [];
		const { loop, steps } = costlyLoop(
			() => 20,
			(quality) => told.push(quality),
			false
		);
		loop.start();
		run(0, 10);
		expect(loop.quality).toEqual(QUALITY_LADDER[0]);
		expect(told).toEqual([]);
		expect(loop.fps).toBeCloseTo(30, 0);
		expect(steps.length).toBeGreaterThan(290);
	});

	it('asks for no frames while resting, off screen or in a hidden tab, and resumes without a jump', () => {
		const { loop, steps } = costlyLoop(() => 1);
		loop.start();
		let t = run(0, 1);
		for (const pause of [
			() => (loop.resting = true),
			() => (loop.visible = false),
			() => frames.setHidden(true)
		]) {
			pause();
			expect(frames.asked).toBe(false);
			const before = steps.length;
			t += 10_000;
			frames.frame(t);
			expect(steps.length).toBe(before);
		}
		loop.resting = false;
		loop.visible = true;
		expect(frames.asked).toBe(false); // the tab is still hidden
		frames.setHidden(false);
		expect(frames.asked).toBe(true);
		const before = steps.length;
		t = run(t, 1);
		expect(steps.length).toBeGreaterThan(before);
		expect(Math.max(...steps.slice(before))).toBeLessThan(0.1); // no 30 s step after the pause
	});

	it('leaves nothing asked for or listened to once stopped', () => {
		const { loop } = costlyLoop(() => 1);
		loop.start();
		run(0, 1);
		loop.stop();
		expect(frames.asked).toBe(false);
		expect(frames.listeners.size).toBe(0);
	});
});

describe('FrameLoop quality, when a better rung is too costly', () => {
	it('waits longer before each retry instead of flickering between two sizes', () => {
		// Cheap at the lowest rung's pixel scale, too costly at any larger one.
		let pixelScale = 1;
		const changes: number[] = [];
		let t = 0;
		let clock = 0;
		const loop = new FrameLoop(() => (clock += pixelScale > 0.5 ? 20 : 0.5), {
			maxFps: 30,
			now: () => clock,
			onQuality: (quality) => {
				pixelScale = quality.pixelScale;
				changes.push(t);
			}
		});
		loop.start();
		for (let i = 0; i < 120 * 60; i += 1) frames.frame((t += 1000 / 60));
		// Without the growing wait: a try and a step back every 4 s, 30 size changes a minute.
		const inSecondMinute = changes.filter((at) => at > 60_000).length;
		expect(changes.length).toBeGreaterThan(2); // it did try
		expect(inSecondMinute).toBeLessThanOrEqual(4);
	});
});
