/** The mute choice (issue 15): kept in storage, and followed when another tab changes it. */
import { describe, expect, it } from 'vitest';
import {
	MutePreference,
	type StorageEventTarget
} from '../../src/lib/speech/mute-preference.svelte';
import { MemoryStorage } from '../support/memory-storage';

describe('MutePreference', () => {
	it('is kept across pages and follows the other tabs', () => {
		const storage = new MemoryStorage();
		const first = new MutePreference(storage);
		expect(first.muted).toBe(false);
		first.toggle();
		expect(new MutePreference(storage).muted).toBe(true);

		let fire: (event: StorageEvent) => void = () => {};
		const target: StorageEventTarget = {
			addEventListener: (_type, listener) => (fire = listener),
			removeEventListener: () => (fire = () => {})
		};
		let changes = 0;
		first.listen(target, () => changes++);
		fire({ key: 'talkline.muted', newValue: '0' } as StorageEvent);
		expect(first.muted).toBe(false);
		fire({ key: 'other', newValue: '1' } as StorageEvent);
		expect(first.muted).toBe(false);
		expect(changes).toBe(1);
	});

	it('works, unkept, when storage is blocked', () => {
		const preference = new MutePreference(null);
		preference.toggle();
		expect(preference.muted).toBe(true);
	});
});
