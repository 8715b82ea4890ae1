/**
 * Messages from the browser to the server (protocol.md, "Client to server"): one valibot schema
 * per type, and the TypeScript types inferred from them.
 */
import * as v from 'valibot';
import { MAX_CHAT_CHARS, MAX_EPOCH_CHARS, MAX_MESSAGE_ID_CHARS, MAX_TOKEN_CHARS } from './limits';

/** A client-made idempotency key. */
const messageId = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_MESSAGE_ID_CHARS));
/** A server `seq` as the client reports it back (0 = nothing received yet). */
const seqNumber = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
/** Standard base64 (no line breaks), as produced by `btoa` or `FileReader`. */
const base64 = v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Invalid base64'));
const pixels = v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(16384));

export const clientPongSchema = v.object({ type: v.literal('pong'), ts: v.number() });
export const clientPingSchema = v.object({ type: v.literal('ping') });
export const resumeSchema = v.object({
	type: v.literal('resume'),
	/** The highest `seq` the client holds of `epoch` (0 = none). */
	lastSeq: seqNumber,
	/** The epoch of the log the client's `lastSeq` counts in (protocol.md, "Ownership and epochs"). */
	epoch: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_EPOCH_CHARS))),
	/** The secret the server gave this client id when it was claimed: proves ownership. */
	token: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_TOKEN_CHARS)))
});
export const chatSchema = v.object({
	type: v.literal('chat'),
	id: messageId,
	text: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CHAT_CHARS))
});
export type Chat = v.InferOutput<typeof chatSchema>;
export const frameSchema = v.object({
	type: v.literal('frame'),
	id: messageId,
	mime: v.pipe(v.string(), v.regex(/^image\/[a-z0-9.+-]+$/, 'Expected an image MIME type')),
	width: pixels,
	height: pixels,
	data: base64
});
export type Frame = v.InferOutput<typeof frameSchema>;
export const interruptSchema = v.object({
	type: v.literal('interrupt'),
	replyId: v.optional(v.string())
});
export const clientAckSchema = v.object({ type: v.literal('ack'), seq: seqNumber });

/** Every message a client may send, told apart by `type`. */
export const clientMessageSchema = v.variant('type', [
	clientPongSchema,
	clientPingSchema,
	resumeSchema,
	chatSchema,
	frameSchema,
	interruptSchema,
	clientAckSchema
]);

/**
 * Every message, typed. A message has a type of its own (beside its schema) only where code needs
 * one; for any other: `Extract<ClientMessage, { type: … }>`.
 */
export type ClientMessage = v.InferOutput<typeof clientMessageSchema>;
/** A camera still as the client sent it (a frame's picture). */
export type ImageInput = Omit<Frame, 'type' | 'id'>;
/** A chat as the server keeps and answers it. */
export type ChatInput = { kind: 'chat'; id: string; text: string };
/** A client message the server accepts: a chat to answer, or a still to remember. */
export type AcceptedInput = ChatInput | { kind: 'frame'; id: string; image: ImageInput };
