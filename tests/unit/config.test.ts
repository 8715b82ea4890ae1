import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, resolveConfig } from '../../machines/config';

describe('connection config', () => {
	it('has the defaults of the spec table', () => {
		expect(DEFAULT_CONFIG).toEqual({
			maxReconnectAttempts: 10,
			baseReconnectDelay: 1000,
			maxReconnectDelay: 30000,
			jitter: 0.25,
			staleAfter: 15000,
			pingTimeout: 60000,
			connectTimeout: 20000,
			stableAfter: 5000
		});
	});

	it('fills a partial config with the defaults', () => {
		expect(resolveConfig({ staleAfter: 100, jitter: 0 })).toEqual({
			...DEFAULT_CONFIG,
			staleAfter: 100,
			jitter: 0
		});
		expect(resolveConfig()).toEqual(DEFAULT_CONFIG);
	});

	it('ignores keys given as undefined', () => {
		expect(resolveConfig({ staleAfter: undefined })).toEqual(DEFAULT_CONFIG);
	});

	it('returns a fresh object that does not share the frozen defaults', () => {
		const config = resolveConfig();
		config.staleAfter = 1;
		expect(DEFAULT_CONFIG.staleAfter).toBe(15000);
	});

	it('rejects negative, infinite or fractional values and a jitter above 1', () => {
		expect(() => resolveConfig({ staleAfter: -1 })).toThrow(RangeError);
		expect(() => resolveConfig({ pingTimeout: Number.POSITIVE_INFINITY })).toThrow(RangeError);
		expect(() => resolveConfig({ maxReconnectAttempts: 2.5 })).toThrow(RangeError);
		expect(() => resolveConfig({ jitter: 1.5 })).toThrow(RangeError);
	});
});
