import { describe, expect, it } from 'vitest';
import { classifyClose, KEEPALIVE_TIMEOUT } from '../../machines/close-codes';

describe('classifyClose', () => {
	it('treats 1000 as normal', () => {
		expect(classifyClose(1000)).toBe('normal');
	});

	it.each([1002, 1003, 1007, 1008, 1009, 1010, 4400, 4403, 4499])(
		'treats %i as permanent',
		(code) => {
			expect(classifyClose(code)).toBe('permanent');
		}
	);

	it.each([1001, 1005, 1006, 1011, 1012, 1013, 1014, 1015, 4000, 4399, 4500, 4599, 3000])(
		'treats %i as transient',
		(code) => {
			expect(classifyClose(code)).toBe('transient');
		}
	);

	it('classifies the keepalive timeout close as transient', () => {
		expect(KEEPALIVE_TIMEOUT).toEqual({ code: 4000, reason: 'keepalive timeout' });
		expect(classifyClose(KEEPALIVE_TIMEOUT.code)).toBe('transient');
	});
});
