/**
 * Messages from the server to the browser (protocol.md, "Server to client"): one valibot schema
 * per type, and the TypeScript types inferred from them.
 */
import * as v from 'valibot';

const seq = v.pipe(v.number(), v.safeInteger(), v.minValue(1));
const timestamp = v.number();

/** How the avatar should look while it says an answer. */
export const MOODS = ['happy', 'neutral', 'thinking', 'concerned'] as const;
export const moodSchema = v.picklist(MOODS);
export type Mood = v.InferOutput<typeof moodSchema>;

/** Error codes the server sends in `error` messages. The schema accepts others too. */
export const ERROR_CODES = {
	badMessage: 'bad_message',
	rateLimited: 'rate_limited',
	brainFailed: 'brain_failed',
	/** The server failed at its end (a bug, the store); the client may send the message again. */
	internalError: 'internal_error',
	/** Ownership of the client id not proved (no token, or none yet): nothing was done. */
	unauthorized: 'unauthorized',
	/** Too many chats of this client id wait for the brain: not acked, send it again later. */
	busy: 'busy',
	/** The store cannot be reached: not acked, send it again later. */
	unavailable: 'unavailable'
} as const;

export const connectedSchema = v.object({
	type: v.literal('connected'),
	clientId: v.string(),
	/** A fresh id for this one connection. */
	sessionId: v.string(),
	/** The server's clock (ms since the epoch) when it accepted the connection. */
	serverTime: timestamp,
	/** How often the server sends its JSON `ping`. */
	pingIntervalMs: v.number(),
	/** The epoch of this client id's log: changes whenever the log starts over. */
	epoch: v.string(),
	/** The ownership secret, only when this connection has just claimed a new client id. */
	token: v.optional(v.string()),
	/** The `sessionId` of the connection with the same client id that this one follows, if any. */
	resumedFrom: v.optional(v.string())
});
export const serverPingSchema = v.object({ type: v.literal('ping'), ts: timestamp });
export const serverPongSchema = v.object({ type: v.literal('pong'), ts: timestamp });
export const serverAckSchema = v.object({ type: v.literal('ack'), id: v.string() });
export const replyStartSchema = v.object({
	type: v.literal('reply.start'),
	seq,
	replyId: v.string(),
	inReplyTo: v.string(),
	/**
	 * The text of the chat this reply answers, so that a page rebuilding its transcript from a
	 * replay (`resume {lastSeq: 0}`) can show the user's words too. Absent for replies to no chat.
	 */
	userText: v.optional(v.string())
});
export type ReplyStart = v.InferOutput<typeof replyStartSchema>;
export const replyDeltaSchema = v.object({
	type: v.literal('reply.delta'),
	seq,
	replyId: v.string(),
	text: v.string()
});
export const replyEndSchema = v.object({
	type: v.literal('reply.end'),
	seq,
	replyId: v.string(),
	text: v.string(),
	mood: v.optional(moodSchema)
});
export const replyInterruptedSchema = v.object({
	type: v.literal('reply.interrupted'),
	seq,
	replyId: v.string()
});
export const serverErrorSchema = v.object({
	type: v.literal('error'),
	code: v.string(),
	message: v.string(),
	id: v.optional(v.string())
});

/** Every message the server may send, told apart by `type`. */
export const serverMessageSchema = v.variant('type', [
	connectedSchema,
	serverPingSchema,
	serverPongSchema,
	serverAckSchema,
	replyStartSchema,
	replyDeltaSchema,
	replyEndSchema,
	replyInterruptedSchema,
	serverErrorSchema
]);

/**
 * Every message, typed. A message has a type of its own (beside its schema) only where code needs
 * one; for any other: `Extract<ServerMessage, { type: … }>`.
 */
export type ServerMessage = v.InferOutput<typeof serverMessageSchema>;

/**
 * The server messages that carry a `seq` (every `reply.*`): stored before they are sent, replayed
 * on `resume`.
 */
export type SequencedMessage = Extract<ServerMessage, { type: `reply.${string}` }>;

/** A sequenced message before the store has given it its `seq`. */
export type UnsequencedMessage = WithoutSeq<SequencedMessage>;
/** Omit distributed over a union, so each member keeps its own fields. */
type WithoutSeq<M> = M extends unknown ? Omit<M, 'seq'> : never;

/** Whether a server message carries a `seq` (and so is stored and replayed). */
export function isSequenced(message: ServerMessage): message is SequencedMessage {
	return message.type.startsWith('reply.');
}
