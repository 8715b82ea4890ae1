/**
 * What the supervisor (scripts/supervise.ts) and its server workers (scripts/serve.ts) say to
 * each other over the cluster's IPC channel. Defined once here for both sides.
 */

/** Set in a worker started to take over from a running one (a reload). */
export const TAKEOVER_ENV = 'TALKLINE_TAKEOVER';

export type SupervisorMessage =
	/** Stop as on SIGTERM: close every socket with 1012 and exit (signals are POSIX-only). */
	| { type: 'talkline.stop' }
	/**
	 * Every other worker on this store has exited: replies still marked open are nobody's now,
	 * so the store may be recovered (a taking-over worker waits for this).
	 */
	| { type: 'talkline.recover' };

export type WorkerMessage =
	/** The server listens, on this port. */
	{ type: 'talkline.listening'; port: number };

function hasType(message: unknown): message is { type: unknown } {
	return typeof message === 'object' && message !== null && 'type' in message;
}

export function isSupervisorMessage(message: unknown): message is SupervisorMessage {
	return (
		hasType(message) && (message.type === 'talkline.stop' || message.type === 'talkline.recover')
	);
}

export function isWorkerMessage(message: unknown): message is WorkerMessage {
	return (
		hasType(message) &&
		message.type === 'talkline.listening' &&
		typeof (message as { port?: unknown }).port === 'number'
	);
}
