import { describe, expect, it } from 'vitest';
import { reloadForFailedCode } from '../../src/lib/connection/reload-for-code';
import { MemoryStorage } from '../support/memory-storage';

describe('reloadForFailedCode', () => {
	it('reloads once, then not again within a minute, then again after it', () => {
		const storage = new MemoryStorage();
		let reloads = 0;
		let now = 1_000_000;
		const options = { storage, reload: () => reloads++, now: () => now };
		expect(reloadForFailedCode(options)).toBe(true);
		expect(reloads).toBe(1);
		now += 59_000; // the reloaded page failed again: code that is really gone must not loop
		expect(reloadForFailedCode(options)).toBe(false);
		expect(reloads).toBe(1);
		now += 2_000;
		expect(reloadForFailedCode(options)).toBe(true);
		expect(reloads).toBe(2);
	});

	it('does not reload without a storage to remember it in', () => {
		let reloads = 0;
		const blocked = new MemoryStorage();
		blocked.blocked = true;
		expect(reloadForFailedCode({ storage: null, reload: () => reloads++ })).toBe(false);
		expect(reloadForFailedCode({ storage: blocked, reload: () => reloads++ })).toBe(false);
		expect(reloads).toBe(0);
	});
});
