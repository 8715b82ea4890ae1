/**
 * Whether the avatar speaks aloud or only mouths its answers: the user's choice, kept in the
 * browser's storage and shared by its tabs (the `storage` event tells the others at once).
 */
const storageKey = 'talkline.muted';

/** Where the other tabs' changes are heard (tests pass a fake). */
export interface StorageEventTarget {
	addEventListener(type: 'storage', listener: (event: StorageEvent) => void): void;
	removeEventListener(type: 'storage', listener: (event: StorageEvent) => void): void;
}

export class MutePreference {
	/** The avatar only mouths its answers; reactive. */
	muted = $state(false);
	readonly #storage: Storage | null;
	#stop: (() => void) | null = null;

	constructor(storage: Storage | null) {
		this.#storage = storage;
		try {
			this.muted = storage?.getItem(storageKey) === '1';
		} catch {
			// Storage blocked: the choice lasts as long as the page.
		}
	}

	/** Follows the choice made in other tabs. */
	listen(target: StorageEventTarget, onChange: () => void): void {
		const listener = (event: StorageEvent) => {
			if (event.key !== storageKey) return;
			this.muted = event.newValue === '1';
			onChange();
		};
		target.addEventListener('storage', listener);
		this.#stop = () => target.removeEventListener('storage', listener);
	}

	toggle(): void {
		this.muted = !this.muted;
		try {
			this.#storage?.setItem(storageKey, this.muted ? '1' : '0');
		} catch {
			// Not kept; this page still honours it.
		}
	}

	stop(): void {
		this.#stop?.();
		this.#stop = null;
	}
}
