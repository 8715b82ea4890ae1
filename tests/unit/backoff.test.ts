import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../machines/backoff';
import { DEFAULT_CONFIG } from '../../machines/config';

const exact = { ...DEFAULT_CONFIG, jitter: 0 };

describe('backoffDelay', () => {
	it('follows the nominal schedule 1, 2, 4, 8, 16, 30, 30, 30, 30, 30 s with jitter 0', () => {
		const delays = Array.from({ length: 10 }, (_, i) => backoffDelay(i + 1, exact, Math.random));
		expect(delays).toEqual([1, 2, 4, 8, 16, 30, 30, 30, 30, 30].map((s) => s * 1000));
	});

	it('only ever shortens a delay, down to (1 - jitter) of the nominal one', () => {
		for (let attempt = 1; attempt <= 12; attempt++) {
			const nominal = backoffDelay(attempt, exact, () => 0);
			for (const r of [0, 0.25, 0.5, 0.999999]) {
				const delay = backoffDelay(attempt, DEFAULT_CONFIG, () => r);
				expect(delay).toBeLessThanOrEqual(nominal);
				expect(delay).toBeGreaterThanOrEqual(nominal * (1 - DEFAULT_CONFIG.jitter));
			}
		}
	});

	it('uses the random factor 1 - jitter * random()', () => {
		expect(backoffDelay(3, { ...DEFAULT_CONFIG, jitter: 0.5 }, () => 0.5)).toBe(3000);
	});

	it('rounds up to a whole millisecond', () => {
		const delay = backoffDelay(1, DEFAULT_CONFIG, () => 0.999999);
		expect(delay).toBe(751);
	});

	it('caps at maxReconnectDelay even for huge attempt numbers', () => {
		expect(backoffDelay(5000, exact, () => 0)).toBe(30000);
	});

	it('honours a custom base and cap', () => {
		const config = { baseReconnectDelay: 10, maxReconnectDelay: 50, jitter: 0 };
		expect([1, 2, 3, 4].map((a) => backoffDelay(a, config, () => 0))).toEqual([10, 20, 40, 50]);
	});

	it('rejects attempt numbers below 1 or fractional ones', () => {
		expect(() => backoffDelay(0, exact, () => 0)).toThrow(RangeError);
		expect(() => backoffDelay(1.5, exact, () => 0)).toThrow(RangeError);
	});
});
