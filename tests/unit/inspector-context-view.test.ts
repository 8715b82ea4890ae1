import { describe, expect, it } from 'vitest';
import {
	elapsed,
	formatCountdown,
	formatDuration,
	readContext,
	remaining
} from '../../src/lib/inspector/context-view';

describe('readContext', () => {
	it('reads the connection fields and the config in force', () => {
		const view = readContext({
			clientId: 'abc',
			url: 'ws://h/ws/abc',
			attempt: 2,
			nextDelay: 4000,
			retryAt: 10_000,
			lastMessageAt: 5000,
			openedAt: null,
			lastClose: { code: 1006, reason: '' },
			online: true,
			config: { maxReconnectAttempts: 10, baseReconnectDelay: 1000, jitter: 0.25 }
		});
		expect(view).toMatchObject({
			clientId: 'abc',
			attempt: 2,
			maxAttempts: 10,
			nextDelay: 4000,
			retryAt: 10_000,
			lastMessageAt: 5000,
			openedAt: null,
			lastClose: { code: 1006, reason: '' },
			online: true
		});
		expect(view.config).toEqual([
			['maxReconnectAttempts', '10'],
			['baseReconnectDelay', '1000 ms'],
			['jitter', '0.25']
		]);
	});

	it('yields nulls for a context of another shape', () => {
		const view = readContext({ attempt: 'three', lastClose: { reason: 'no code' } });
		expect(view.attempt).toBeNull();
		expect(view.lastClose).toBeNull();
		expect(readContext(undefined).config).toEqual([]);
	});
});

describe('time helpers', () => {
	it('counts down to a due time and never below zero', () => {
		expect(remaining(10_000, 7_500)).toBe(2500);
		expect(remaining(10_000, 12_000)).toBe(0);
		expect(remaining(null, 1)).toBeNull();
		expect(formatCountdown(2500)).toBe('3 s');
		expect(formatCountdown(0)).toBe('0 s');
	});

	it('measures time since an event and writes durations briefly', () => {
		expect(elapsed(1000, 4500)).toBe(3500);
		expect(formatDuration(850)).toBe('850 ms');
		expect(formatDuration(4250)).toBe('4.2 s');
		expect(formatDuration(125_000)).toBe('2 min 5 s');
	});
});
