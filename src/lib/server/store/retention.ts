/**
 * How long a store keeps things, in one place so that every store applies the same rules.
 *
 * - The log of server messages: a client id keeps its newest `retainMessages` messages (the page
 *   rebuilds its transcript from them). Past that count, the oldest *acknowledged* messages go
 *   first; messages the client has not acknowledged are kept (it may still need them to catch
 *   up) until they pass the age limit, or until the log is `UNACKED_CEILING_FACTOR` times the
 *   count limit (a client that never acknowledges cannot fill the disk).
 * - Every message older than `retainMs` goes, acknowledged or not: a client gone longer than
 *   that finds no replay. The latest camera still follows the same age limit.
 * - Accepted client message ids (idempotency) are kept at least `MIN_ACCEPTED_RETAIN_MS`, longer
 *   than the client outbox keeps a message (24 h), and at most `MAX_ACCEPTED_IDS_PER_CLIENT` per
 *   client id. A chat that has not been answered yet is never dropped by that count.
 * - The per-client counter (last `seq`, acknowledged `seq`) is kept: a few bytes per client id,
 *   so that `seq` never starts again from 1 for a client that comes back.
 */
import type { RetentionOptions } from './message-store';

const HOUR_MS = 3_600_000;

export const DEFAULT_RETENTION: RetentionOptions = {
	retainMessages: 1000,
	retainMs: 168 * HOUR_MS,
	now: () => Date.now()
};

/** Unacknowledged messages survive the count limit up to this many times the limit. */
export const UNACKED_CEILING_FACTOR = 10;
/** Twice the client outbox's 24 h, so a resend can never find its id forgotten. */
export const MIN_ACCEPTED_RETAIN_MS = 48 * HOUR_MS;
/** Accepted ids remembered per client id; the oldest answered ones go first. */
export const MAX_ACCEPTED_IDS_PER_CLIENT = 5000;

/** Fills in the defaults and checks the numbers. */
export function resolveRetention(options: Partial<RetentionOptions> = {}): RetentionOptions {
	const retention = { ...DEFAULT_RETENTION, ...options };
	if (!Number.isSafeInteger(retention.retainMessages) || retention.retainMessages < 1)
		throw new RangeError(
			`retainMessages must be a whole number ≥ 1, got ${retention.retainMessages}`
		);
	if (!(retention.retainMs > 0))
		throw new RangeError(`retainMs must be > 0, got ${retention.retainMs}`);
	return retention;
}

/** The highest `seq` the count limit deletes up to, for a log ending at `lastSeq` (0: none). */
export function countTrimUpTo(lastSeq: number, ackedSeq: number, retainMessages: number): number {
	const overCount = lastSeq - retainMessages;
	const ceiling = lastSeq - retainMessages * UNACKED_CEILING_FACTOR;
	return Math.max(0, Math.min(ackedSeq, overCount), ceiling);
}

/** How long accepted ids are remembered for a given message age limit. */
export function acceptedRetainMs(retainMs: number): number {
	return Math.max(retainMs, MIN_ACCEPTED_RETAIN_MS);
}
