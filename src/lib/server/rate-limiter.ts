/** A token bucket: `burst` messages at once, refilled at `perSecond`. One per connection. */
export class RateLimiter {
	readonly #perMs: number;
	readonly #burst: number;
	readonly #now: () => number;
	#tokens: number;
	#updatedAt: number;

	constructor(perSecond: number, burst: number, now: () => number = Date.now) {
		this.#perMs = perSecond / 1000;
		this.#burst = Math.max(1, burst);
		this.#now = now;
		this.#tokens = this.#burst;
		this.#updatedAt = now();
	}

	/** Takes one token; false when the bucket is empty (the sender is over the limit). */
	take(): boolean {
		const now = this.#now();
		this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#perMs);
		this.#updatedAt = now;
		if (this.#tokens < 1) return false;
		this.#tokens -= 1;
		return true;
	}
}
