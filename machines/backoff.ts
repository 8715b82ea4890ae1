/** Reconnect delays: exponential backoff with a cap and downward-only jitter (spec rule 8). */
import type { ConnectionConfig } from './config';

/** The part of the configuration that decides reconnect delays. */
export type BackoffConfig = Pick<
	ConnectionConfig,
	'baseReconnectDelay' | 'maxReconnectDelay' | 'jitter'
>;

/**
 * The delay in ms before reconnect attempt `attempt` (1-based):
 * `min(base * 2^(attempt-1), max) * factor`, with `factor = 1 - jitter * random()` in
 * `[1 - jitter, 1]`. Jitter only ever shortens a delay, so jitter 0 gives the nominal schedule,
 * which is also the slowest one. The result is rounded up to a whole millisecond, which keeps it
 * within those bounds for whole-millisecond configs.
 *
 * @param random a source of numbers in [0, 1), like `Math.random`
 * @throws RangeError when `attempt` is not an integer >= 1
 */
export function backoffDelay(attempt: number, config: BackoffConfig, random: () => number): number {
	if (!Number.isInteger(attempt) || attempt < 1) {
		throw new RangeError(`backoffDelay: attempt must be an integer >= 1, got ${attempt}`);
	}
	const nominal = Math.min(
		config.baseReconnectDelay * 2 ** (attempt - 1),
		config.maxReconnectDelay
	);
	return Math.ceil(nominal * (1 - config.jitter * random()));
}
