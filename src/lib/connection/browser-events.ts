/** The browser events the connection machine listens to (spec rules 12 and 15). */
export type BrowserEvent =
	{ type: 'browser.online' } | { type: 'browser.offline' } | { type: 'browser.visible' };

type Listens = {
	addEventListener(type: string, listener: () => void): void;
	removeEventListener(type: string, listener: () => void): void;
};

/** What `forwardBrowserEvents` needs of `window`: its events and its document's visibility. */
export type BrowserEventTarget = Listens & {
	readonly document: Listens & { readonly visibilityState: DocumentVisibilityState };
};

/**
 * Forwards the browser's `online`, `offline` and `visibilitychange` (to visible) to `send`.
 * The machine stays free of the DOM; this is the only place that listens. Returns the cleanup.
 */
export function forwardBrowserEvents(
	send: (event: BrowserEvent) => void,
	target: BrowserEventTarget = window
): () => void {
	const onOnline = () => send({ type: 'browser.online' });
	const onOffline = () => send({ type: 'browser.offline' });
	const onVisibility = () => {
		if (target.document.visibilityState === 'visible') send({ type: 'browser.visible' });
	};
	target.addEventListener('online', onOnline);
	target.addEventListener('offline', onOffline);
	target.document.addEventListener('visibilitychange', onVisibility);
	return () => {
		target.removeEventListener('online', onOnline);
		target.removeEventListener('offline', onOffline);
		target.document.removeEventListener('visibilitychange', onVisibility);
	};
}
