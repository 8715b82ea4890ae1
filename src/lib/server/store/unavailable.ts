/**
 * The store cannot be reached (Redis down, or slower than REDIS_TIMEOUT_MS): the client is told
 * `unavailable` and sends the message again later, instead of `internal_error`.
 */
export class StoreUnavailableError extends Error {
	override readonly name = 'StoreUnavailableError';
}

/** Whether `error` means the store is unreachable (as opposed to a bug or bad data). */
export function isStoreUnavailable(error: unknown): boolean {
	return error instanceof StoreUnavailableError;
}
