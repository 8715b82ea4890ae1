/**
 * The part of `window` the page's connection listens to (online, offline, visibilitychange),
 * for unit tests in Node: it counts its listeners and fires events on demand.
 */
import type { BrowserEventTarget } from '../../src/lib/connection/browser-events';

class Listeners {
	readonly #byType = new Map<string, Set<() => void>>();

	addEventListener(type: string, listener: () => void): void {
		const set = this.#byType.get(type) ?? new Set();
		set.add(listener);
		this.#byType.set(type, set);
	}

	removeEventListener(type: string, listener: () => void): void {
		this.#byType.get(type)?.delete(listener);
	}

	count(): number {
		return [...this.#byType.values()].reduce((sum, set) => sum + set.size, 0);
	}

	fire(type: string): void {
		for (const listener of [...(this.#byType.get(type) ?? [])]) listener();
	}
}

class FakeDocument extends Listeners {
	visibilityState: DocumentVisibilityState = 'visible';
}

export class FakeWindow extends Listeners implements BrowserEventTarget {
	readonly document = new FakeDocument();

	/** Listeners still attached to the window and its document. */
	listenerCount(): number {
		return this.count() + this.document.count();
	}

	goOffline(): void {
		this.fire('offline');
	}

	goOnline(): void {
		this.fire('online');
	}

	/** The tab is hidden or shown: `visibilitychange` on the document. */
	setVisibility(state: DocumentVisibilityState): void {
		this.document.visibilityState = state;
		this.document.fire('visibilitychange');
	}
}
