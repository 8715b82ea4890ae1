/** WebSocket close codes: which ones end a connection for good (spec rule 7). */

/** How the machine reacts to a close it did not ask for. */
export type CloseClass = 'normal' | 'permanent' | 'transient';

/** Sent by the client when the server stayed silent for `pingTimeout` (spec rule 5). */
export const KEEPALIVE_TIMEOUT = Object.freeze({ code: 4000, reason: 'keepalive timeout' });

/** The code a socket closed by the user (DISCONNECT) or by the page unmounting carries. */
export const CLIENT_CLOSE = Object.freeze({ code: 1000, reason: 'client disconnect' });

/** Protocol errors that a reconnect cannot fix. */
const PERMANENT_CODES: ReadonlySet<number> = new Set([1002, 1003, 1007, 1008, 1009, 1010]);

/**
 * Classifies the code of a close the user did not ask for: 1000 is `normal` (the server ended
 * the session, e.g. "replaced"), protocol errors and 4400-4499 are `permanent`, anything else
 * (1001, 1005, 1006, 1011-1015, 4000, 4500-4599, unknown codes) is `transient`.
 */
export function classifyClose(code: number): CloseClass {
	if (code === 1000) return 'normal';
	if (PERMANENT_CODES.has(code) || (code >= 4400 && code <= 4499)) return 'permanent';
	return 'transient';
}
