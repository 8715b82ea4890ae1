import { isValidClientId } from '$lib/protocol/limits';

const storageKey = 'talkline.clientId';

/** A fresh random client id, e.g. `c-4f9a1b2c3d4e5f60`. */
export function makeClientId(random: () => number = Math.random): string {
	const bytes = new Uint8Array(8);
	if (typeof crypto !== 'undefined' && crypto.getRandomValues) crypto.getRandomValues(bytes);
	else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
	return 'c-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The client id for this page: `?clientId=` when given (used as is, so the server can refuse a bad
 * one with 4400 and the page shows why), else one made once per browser and kept in localStorage.
 */
export function resolveClientId(search: URLSearchParams, storage: Storage | null): string {
	const fromUrl = search.get('clientId');
	if (fromUrl !== null) return fromUrl;
	try {
		const stored = storage?.getItem(storageKey);
		if (stored && isValidClientId(stored)) return stored;
		const made = makeClientId();
		storage?.setItem(storageKey, made);
		return made;
	} catch {
		// Storage can be disabled (private mode, blocked cookies): a per-page id still works.
		return makeClientId();
	}
}

/** Whether the page's client id was made by this browser (not given as `?clientId=`). */
export function isMadeHere(search: URLSearchParams): boolean {
	return search.get('clientId') === null;
}

/**
 * Replaces a client id made here whose token never arrived: the server stored the claim, then the
 * connection ended before its `connected` reached the page (a crash, a dropped network). Nobody
 * can prove that id, this browser included, and nothing of this browser's is in it. Returns the
 * new id, or undefined when another tab has already replaced it (or storage is off: every page
 * load then makes an id of its own anyway). What the page kept under the lost id is the caller's
 * to move.
 */
export function replaceLostClientId(storage: Storage | null, lost: string): string | undefined {
	try {
		if (!storage || storage.getItem(storageKey) !== lost) return undefined;
		const made = makeClientId();
		storage.setItem(storageKey, made);
		return made;
	} catch {
		return undefined;
	}
}
