/**
 * Which tab of a client id holds the connection: the one holding the Web Lock named after the id.
 * Every tab asks for the lock at start and waits in line; the browser grants it to one tab at a
 * time and hands it on as soon as that tab's document goes away (closed, reloaded, crashed), so
 * no timeout or heartbeat is needed. The grant comes in a task, not a timer: a page whose timers
 * are faked (Playwright's `page.clock`) still gets it at once.
 */

/** What the election needs of `navigator.locks` (tests pass a fake). */
export interface LockManagerLike {
	request(
		name: string,
		options: { signal?: AbortSignal },
		callback: (lock: unknown) => Promise<unknown>
	): Promise<unknown>;
}

/** The lock's name for a client id. */
export function lockName(clientId: string): string {
	return `talkline:connection:${clientId}`;
}

/**
 * Waits for the lock and calls `onLeader` once it is held; the lock is kept until the returned
 * function is called (or the document goes away). Calling it before the grant leaves the line.
 */
export function electLeader(
	locks: LockManagerLike,
	name: string,
	onLeader: () => void
): () => void {
	const abort = new AbortController();
	let release: (() => void) | undefined;
	const held = new Promise<void>((resolve) => (release = resolve));
	locks
		.request(name, { signal: abort.signal }, async () => {
			if (abort.signal.aborted) return;
			onLeader();
			await held;
		})
		.catch(() => {
			// Aborted while waiting in line: this tab has gone.
		});
	return () => {
		abort.abort();
		release?.();
	};
}
