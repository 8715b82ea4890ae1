/**
 * Loads the page again after a piece of its own code failed to arrive and the server answers
 * again. Chromium keeps a failed module fetch for the page's life: `import()` of that module (or
 * of any module that imports it) fails at once without asking the network, so only a new page
 * fetches it again. SvelteKit does the same when a route's code fails to load.
 *
 * At most once a minute per tab (sessionStorage), so code that is really gone (an old page after
 * a deploy removed its files) cannot reload in a loop. Nothing is lost by the reload: unsent
 * messages wait in the outbox (localStorage) and the conversation comes back from the server.
 */

import { webStorage } from '$lib/web-storage';

const KEY = 'talkline.reloadedForCodeAt';
const MIN_INTERVAL_MS = 60_000;

export interface ReloadForCodeOptions {
	storage?: Storage | null;
	reload?: () => void;
	now?: () => number;
}

/** Reloads the page unless it was reloaded for this less than a minute ago; says whether it did. */
export function reloadForFailedCode(options: ReloadForCodeOptions = {}): boolean {
	const storage = options.storage === undefined ? webStorage('sessionStorage') : options.storage;
	if (!storage) return false; // without storage a reload loop could not be told apart
	const now = (options.now ?? Date.now)();
	try {
		if (now - Number(storage.getItem(KEY)) < MIN_INTERVAL_MS) return false;
		storage.setItem(KEY, String(now));
	} catch {
		return false; // storage blocked: the same
	}
	(options.reload ?? (() => location.reload()))();
	return true;
}
