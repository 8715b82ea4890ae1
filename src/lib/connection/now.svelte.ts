import { createSubscriber } from 'svelte/reactivity';

/**
 * A reactive clock for countdowns: reading `current` inside an effect or template re-runs it every
 * `intervalMs` while something reads it, and stops ticking when nothing does.
 */
export class Now {
	#subscribe: () => void;

	constructor(intervalMs = 250) {
		this.#subscribe = createSubscriber((update) => {
			const timer = setInterval(update, intervalMs);
			return () => clearInterval(timer);
		});
	}

	get current(): number {
		this.#subscribe();
		return Date.now();
	}
}
