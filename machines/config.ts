/**
 * Connection configuration: every number of the connection contract
 * (shared/spec/connection.md, "Configuration") with its default, overridable through the
 * machine's input.
 */

/** Timings and limits of the connection; all durations in milliseconds. */
export type ConnectionConfig = {
	/** Reconnect attempts after a connection is lost, before giving up. */
	maxReconnectAttempts: number;
	/** Delay before reconnect attempt 1. */
	baseReconnectDelay: number;
	/** Cap of every reconnect delay. */
	maxReconnectDelay: number;
	/** Each delay is multiplied by a random factor in [1 - jitter, 1]; 0 = exact schedule. */
	jitter: number;
	/** Silence after which an open connection is `stale`. */
	staleAfter: number;
	/** Silence after which the client closes the socket with 4000 and reconnects. */
	pingTimeout: number;
	/** A socket that has not opened by then is abandoned. */
	connectTimeout: number;
	/** An open connection must last this long before the attempt counter resets. */
	stableAfter: number;
};

/** The defaults of the spec's configuration table. */
export const DEFAULT_CONFIG: Readonly<ConnectionConfig> = Object.freeze({
	maxReconnectAttempts: 10,
	baseReconnectDelay: 1000,
	maxReconnectDelay: 30000,
	jitter: 0.25,
	staleAfter: 15000,
	pingTimeout: 60000,
	connectTimeout: 20000,
	stableAfter: 5000
});

const isDuration = (value: number) => Number.isFinite(value) && value >= 0;

/**
 * Fills a partial configuration with the defaults and checks it.
 *
 * @throws RangeError when a value is negative, not finite, a fractional attempt count, or a
 *   jitter outside [0, 1]; a bad number would otherwise surface much later as a strange delay.
 */
export function resolveConfig(partial: Partial<ConnectionConfig> = {}): ConnectionConfig {
	const config: ConnectionConfig = { ...DEFAULT_CONFIG };
	for (const key of Object.keys(DEFAULT_CONFIG) as Array<keyof ConnectionConfig>) {
		const value = partial[key];
		if (value !== undefined) config[key] = value;
	}
	for (const key of Object.keys(config) as Array<keyof ConnectionConfig>) {
		if (!isDuration(config[key])) {
			throw new RangeError(`connection config: ${key} must be a finite number >= 0`);
		}
	}
	if (!Number.isInteger(config.maxReconnectAttempts)) {
		throw new RangeError('connection config: maxReconnectAttempts must be an integer');
	}
	if (config.jitter > 1) {
		throw new RangeError('connection config: jitter must be between 0 and 1');
	}
	return config;
}
