/**
 * Limits and close codes of the wire protocol (protocol.md, connection.md). Shared by the
 * browser and the server, so this file imports only the close-code table, which imports nothing.
 */

/** Largest text frame either side accepts, camera stills included: 256 KiB. */
export const MAX_FRAME_BYTES = 256 * 1024;

/** Longest `chat.text`, in characters (UTF-16 code units, as JavaScript counts them). */
export const MAX_CHAT_CHARS = 4000;

/** Longest client-made message id (`chat.id`, `frame.id`). */
export const MAX_MESSAGE_ID_CHARS = 128;

/** Longest epoch string either side accepts (the server makes 32 hex characters). */
export const MAX_EPOCH_CHARS = 64;

/** Longest ownership token either side accepts (the server makes 43 base64url characters). */
export const MAX_TOKEN_CHARS = 128;

/** A client id: 1 to 64 characters of `A-Z a-z 0-9 _ -`. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether a string is a client id the server accepts. */
export function isValidClientId(id: string): boolean {
	return CLIENT_ID_PATTERN.test(id);
}

/** The close codes (one table, shared with the connection machine and the badge). */
export { CLOSE } from '../../../machines/close-codes';

/** The reason strings that go with the close codes above. */
export const CLOSE_REASON = {
	replaced: 'replaced',
	invalidClientId: 'invalid client id',
	serviceRestart: 'service restart',
	rateLimited: 'rate limited',
	tooManyBadMessages: 'too many bad messages',
	messageTooBig: 'message too big',
	unauthorized: 'unauthorized',
	tooManyFragments: 'too many fragments',
	invalidFrame: 'invalid frame',
	invalidUtf8: 'invalid UTF-8'
} as const;
