/**
 * How often stills go out: one with each chat message, and otherwise at most one every
 * `intervalMs` (5 s) while the camera is on. Pure bookkeeping; the camera owns the timer.
 */
export class FrameThrottle {
	readonly intervalMs: number;
	#lastSent = -Infinity;

	constructor(intervalMs = 5000) {
		this.intervalMs = intervalMs;
	}

	/** Whether a periodic still may go out at `now` (ms). */
	due(now: number): boolean {
		return now - this.#lastSent >= this.intervalMs;
	}

	/** ms from `now` until the next periodic still is due (0 when it is due). */
	wait(now: number): number {
		return Math.max(0, this.#lastSent + this.intervalMs - now);
	}

	/** Records a still sent at `now` (with a message or periodic); the next periodic one waits. */
	sent(now: number): void {
		this.#lastSent = now;
	}

	/** Forgets the last still (the camera was switched off). */
	reset(): void {
		this.#lastSent = -Infinity;
	}
}
