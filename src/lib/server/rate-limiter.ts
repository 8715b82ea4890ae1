/** A token bucket: `burst` messages at once, refilled at `perSecond`. */
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
		this.#refill();
		if (this.#tokens < 1) return false;
		this.#tokens -= 1;
		return true;
	}

	/** Whether the bucket has refilled to its burst (it is then the same as a new one). */
	get full(): boolean {
		this.#refill();
		return this.#tokens >= this.#burst;
	}

	#refill(): void {
		const now = this.#now();
		this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#perMs);
		this.#updatedAt = now;
	}
}

/**
 * One bucket per client id, shared by all its connections on this instance. A bucket outlives
 * the connections until it has refilled, so closing and reopening a socket does not reset it
 * (10 reconnects used to buy 10 bursts). Full buckets are forgotten, now and then, in bulk.
 */
export class RateLimiters {
	readonly #byKey = new Map<string, RateLimiter>();
	readonly #make: () => RateLimiter;
	/** Prune when the map has grown this large since the last prune (amortised O(1) per new key). */
	#pruneAt = 1024;

	constructor(perSecond: number, burst: number, now: () => number = Date.now) {
		this.#make = () => new RateLimiter(perSecond, burst, now);
	}

	/** The bucket of `key`, made on first use. */
	of(key: string): RateLimiter {
		let limiter = this.#byKey.get(key);
		if (!limiter) {
			if (this.#byKey.size >= this.#pruneAt) this.#prune();
			limiter = this.#make();
			this.#byKey.set(key, limiter);
		}
		return limiter;
	}

	/** How many buckets are kept (for tests and health). */
	get size(): number {
		return this.#byKey.size;
	}

	#prune(): void {
		for (const [key, limiter] of this.#byKey) if (limiter.full) this.#byKey.delete(key);
		this.#pruneAt = Math.max(1024, this.#byKey.size * 2);
	}
}
