/**
 * Every way the server refuses a client's message, in one table. As in ws, each carries a string
 * code (sent in an `error` message) and, where the connection must end, the close code and
 * reason to use.
 */
import { CLOSE, CLOSE_REASON } from '../protocol/limits';
import { ERROR_CODES } from '../protocol/server-messages';
import type { RefusalReason } from './metrics';

export interface Refusal {
	/** `error.code` sent to the client; none when the close says it all. */
	code?: string;
	message: string;
	/** Closes the connection after the error, when set. */
	close?: { code: number; reason: string };
	/** The reason it is counted under in /metrics; none when the refusal was counted already. */
	counted?: RefusalReason;
}

export const REFUSALS = {
	/** Not JSON, unknown type, wrong fields, binary: the connection stays. */
	badMessage: (message: string): Refusal => ({
		code: ERROR_CODES.badMessage,
		message,
		counted: 'bad_message'
	}),
	/** The last bad message already got its error; the close reason says the rest. */
	tooManyBadMessages: {
		message: 'Too many bad messages',
		close: { code: CLOSE.policyViolation, reason: CLOSE_REASON.tooManyBadMessages }
	},
	rateLimited: {
		code: ERROR_CODES.rateLimited,
		message: 'Too many messages; slow down',
		close: { code: CLOSE.policyViolation, reason: CLOSE_REASON.rateLimited },
		counted: 'rate'
	},
	/** Ownership of the client id not proved yet: nothing done, the connection stays. */
	unauthorized: {
		code: ERROR_CODES.unauthorized,
		message:
			'This client id belongs to another browser, or its token has not been sent in "resume"',
		counted: 'unauthorized'
	},
	/** A wrong token: the id is someone else's, and retrying cannot help. */
	wrongToken: {
		code: ERROR_CODES.unauthorized,
		message: 'Wrong token for this client id',
		close: { code: CLOSE.unauthorized, reason: CLOSE_REASON.unauthorized },
		counted: 'unauthorized'
	},
	/** Too many chats of this client id wait for the brain: not acked, the client sends it later. */
	busy: {
		code: ERROR_CODES.busy,
		message:
			'Too many messages are waiting for an answer; this one was not accepted, send it again later',
		counted: 'busy'
	},
	/** A chat text over 4,000 characters (frames over 256 KiB are closed by ws itself). */
	tooBig: {
		message: 'Message over the size limit',
		close: { code: CLOSE.messageTooBig, reason: CLOSE_REASON.messageTooBig },
		counted: 'size'
	}
} satisfies Record<string, Refusal | ((message: string) => Refusal)>;
