/**
 * WebSocket close codes: the one table of the codes Talkline names and what each means (the
 * server closes with them, the badge explains them), and which ones end a connection for good
 * (spec rule 7). Imports nothing, so the browser, the server and the machine share it.
 */

/** The close codes Talkline sends or explains, by name. */
export const CLOSE = {
	normal: 1000,
	goingAway: 1001,
	protocolError: 1002,
	unsupportedData: 1003,
	noStatus: 1005,
	abnormal: 1006,
	invalidPayload: 1007,
	policyViolation: 1008,
	messageTooBig: 1009,
	missingExtension: 1010,
	internalError: 1011,
	serviceRestart: 1012,
	tryAgainLater: 1013,
	badGateway: 1014,
	tlsFailure: 1015,
	keepaliveTimeout: 4000,
	invalidClientId: 4400,
	/** A wrong ownership token: permanent, the id belongs to another browser. */
	unauthorized: 4401
} as const;

/** What each code means, as a person reads it when the close carried no reason. */
export const CLOSE_MEANINGS: Readonly<Record<number, string>> = {
	[CLOSE.normal]: 'closed normally',
	[CLOSE.goingAway]: 'server going away',
	[CLOSE.protocolError]: 'protocol error',
	[CLOSE.unsupportedData]: 'unsupported data',
	[CLOSE.noStatus]: 'no close code',
	[CLOSE.abnormal]: 'connection lost',
	[CLOSE.invalidPayload]: 'invalid data',
	[CLOSE.policyViolation]: 'policy violation',
	[CLOSE.messageTooBig]: 'message too big',
	[CLOSE.missingExtension]: 'missing extension',
	[CLOSE.internalError]: 'server error',
	[CLOSE.serviceRestart]: 'service restart',
	[CLOSE.tryAgainLater]: 'try again later',
	[CLOSE.badGateway]: 'bad gateway',
	[CLOSE.tlsFailure]: 'TLS failure',
	[CLOSE.keepaliveTimeout]: 'keepalive timeout',
	[CLOSE.unauthorized]: 'unauthorized'
};

/** How the machine reacts to a close it did not ask for. */
export type CloseClass = 'normal' | 'permanent' | 'transient';

/** Sent by the client when the server stayed silent for `pingTimeout` (spec rule 5). */
export const KEEPALIVE_TIMEOUT = Object.freeze({
	code: CLOSE.keepaliveTimeout,
	reason: CLOSE_MEANINGS[CLOSE.keepaliveTimeout] ?? ''
});

/** The code a socket closed by the user (DISCONNECT) or by the page unmounting carries. */
export const CLIENT_CLOSE = Object.freeze({ code: CLOSE.normal, reason: 'client disconnect' });

/** Protocol errors that a reconnect cannot fix. */
const PERMANENT_CODES: ReadonlySet<number> = new Set([
	CLOSE.protocolError,
	CLOSE.unsupportedData,
	CLOSE.invalidPayload,
	CLOSE.policyViolation,
	CLOSE.messageTooBig,
	CLOSE.missingExtension
]);

/**
 * Classifies the code of a close the user did not ask for: 1000 is `normal` (the server ended
 * the session, e.g. "replaced"), protocol errors and 4400-4499 are `permanent`, anything else
 * (1001, 1005, 1006, 1011-1015, 4000, 4500-4599, unknown codes) is `transient`.
 */
export function classifyClose(code: number): CloseClass {
	if (code === CLOSE.normal) return 'normal';
	if (PERMANENT_CODES.has(code) || (code >= 4400 && code <= 4499)) return 'permanent';
	return 'transient';
}
