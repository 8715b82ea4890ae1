import { describe, expect, it } from 'vitest';
import { FrameThrottle } from '$lib/camera/frame-throttle';
import { bytesToBase64, fitWithin } from '$lib/camera/still';

describe('fitWithin and bytesToBase64', () => {
	it('scales a picture down to the width keeping its shape, and never up', () => {
		expect(fitWithin(1280, 720, 640)).toEqual({ width: 640, height: 360 });
		expect(fitWithin(320, 240, 640)).toEqual({ width: 320, height: 240 });
		expect(fitWithin(0, 0, 640)).toEqual({ width: 0, height: 0 });
	});

	it('encodes bytes as base64, large ones too', () => {
		const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
		expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
	});
});

describe('FrameThrottle', () => {
	it('allows a periodic still at most once per interval', () => {
		const throttle = new FrameThrottle(5000);
		expect(throttle.due(0)).toBe(true);
		throttle.sent(1000);
		expect(throttle.due(5999)).toBe(false);
		expect(throttle.wait(3000)).toBe(3000);
		expect(throttle.due(6000)).toBe(true);
		throttle.reset();
		expect(throttle.due(1001)).toBe(true);
	});
});
