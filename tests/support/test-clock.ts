/**
 * A SimulatedClock for the connection tests. It counts its pending timers, fires them one due
 * time after the other (SimulatedClock's own `increment` fires everything at the final time),
 * and keeps a wall clock apart from its timer clock: `sleep(ms)` moves the wall clock alone, as
 * in a hidden browser tab whose timers are throttled, so timers due in that time fire late.
 */
import { SimulatedClock } from 'xstate';

export class TestClock extends SimulatedClock {
	/** Pending timer id -> due time on the timer clock. */
	private readonly pending = new Map<number, number>();
	/** How far the wall clock runs ahead of the timer clock. */
	skew = 0;

	override setTimeout(fn: (...args: unknown[]) => void, timeout: number): number {
		const id = super.setTimeout(() => {
			this.pending.delete(id);
			fn();
		}, timeout);
		this.pending.set(id, this.now() + timeout);
		return id;
	}

	override clearTimeout(id: number): void {
		this.pending.delete(id);
		super.clearTimeout(id);
	}

	/** Timers scheduled and neither fired nor cleared. */
	pendingCount(): number {
		return this.pending.size;
	}

	/** Due time (timer clock) of the earliest pending timer, or null. */
	nextDue(): number | null {
		return this.pending.size ? Math.min(...this.pending.values()) : null;
	}

	/** Wall-clock time: what the machine's `now` returns. */
	readonly wall = (): number => this.now() + this.skew;

	/** Wall-clock time passes without any timer firing (hidden tab). */
	sleep(ms: number): void {
		this.skew += ms;
	}

	/** Lets `ms` pass; each timer fires at its own due time, in order. */
	advance(ms: number): void {
		const target = this.now() + ms;
		for (let due = this.nextDue(); due !== null && due <= target; due = this.nextDue()) {
			const before = this.pending.size;
			this.set(Math.max(due, this.now()));
			// SimulatedClock compares `now - start >= timeout`; a fractional delay may miss by a hair.
			if (this.nextDue() === due && this.pending.size === before) {
				throw new Error(`TestClock: a timer due at ${due} did not fire`);
			}
		}
		this.set(target);
	}
}
