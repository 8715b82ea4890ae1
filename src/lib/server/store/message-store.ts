/**
 * The storage behind the delivery rules of protocol.md. The server talks only to `MessageStore`,
 * which is asynchronous because RedisStore (REDIS_URL: several instances share it) answers over
 * the network. SqliteStore (the default, durable) and MemoryStore (tests, STORE=memory) are
 * synchronous inside, as better-sqlite3 is (`SyncMessageStore`: each call one small transaction),
 * and reach the server through `asyncStore()`. tests/server/message-store-contract.ts holds all
 * three to the same behaviour.
 *
 * The server never has two writes of one client id in flight from one conversation (it chains
 * them), so a store only has to make each call atomic: RedisStore does it with Lua scripts.
 *
 * What a store keeps per client id:
 * - the ids of accepted client messages (idempotency), and for a chat its text until a reply to
 *   it has finished: an accepted chat is "pending" from its ack until a `reply.end` or
 *   `reply.interrupted` of a reply that started for it is stored. The store follows this from the
 *   messages it is given (`reply.start.inReplyTo`, then the reply's last message), in the same
 *   transaction as the append, so "answered" and "stored" can never disagree after a crash;
 * - the latest camera still (a `frame` is context for the next chat, not a question);
 * - the log of sequenced server messages and the highest `seq` the client acknowledged;
 * - the log's identity (protocol.md, "Ownership and epochs"): its epoch, an opaque random string
 *   made with the log, and the SHA-256 hash of the secret token of whoever claimed the id. The
 *   token itself is never stored, so a copy of the store does not let anyone in.
 */
import type { AcceptedInput, ImageInput } from '../../protocol/client-messages';
import type {
	ReplyStart,
	SequencedMessage,
	UnsequencedMessage
} from '../../protocol/server-messages';

export type { AcceptedInput };

/** One client message to accept, and whose it is. */
export interface AcceptRequest {
	clientId: string;
	input: AcceptedInput;
}

/** An accepted chat whose reply has not finished (answered once the client id is active). */
export interface PendingChat {
	id: string;
	text: string;
}

/** A reply left open (a crash mid-stream) that `recover()` closed with `reply.interrupted`. */
export interface RecoveredReply {
	clientId: string;
	replyId: string;
	/** The `seq` of the `reply.interrupted` that closed it. */
	seq: number;
}

/** Who owns a client id's log, and which incarnation of the log it is. */
export interface ClientIdentity {
	/** Opaque, random, made when the log is made; a log that starts over gets a new one. */
	epoch: string;
	/** SHA-256 of the owner's token (hex), or null for a log nobody has claimed (an old store). */
	tokenHash: string | null;
}

/** A new connection's client id, and the hash of the token it is given if it claims the id. */
export interface ArrivalRequest {
	clientId: string;
	tokenHash: string;
}

/** What `arrive` found (and did) for one arriving connection. */
export interface ArrivalRecord {
	/** True when this call made the caller the owner (a new id, or a log without an owner). */
	claimed: boolean;
	/** The identity after the call: the caller's, or the existing owner's when `claimed` is false. */
	identity: ClientIdentity;
	/** The log's last seq (0 for a new log). */
	lastSeq: number;
	/** True when this call made the log: nothing is stored for the id yet, not even a chat. */
	created: boolean;
}

/** What `recover()` did: replies closed, and the client ids whose recovery failed. */
export interface RecoveryReport {
	recovered: RecoveredReply[];
	/** One client's bad data never stops the others, nor the server's start. */
	failed: { clientId: string; error: unknown }[];
}

/** A `reply.start` before the store has given it its `seq`. */
export type UnsequencedStart = Omit<ReplyStart, 'seq'>;

/**
 * What `startReply` did: started (stored, with its seq), or refused because the chat is answered
 * or being answered already (`answered`: drop it), or because another reply of this client id is
 * still open on another instance (`busy`: try again when that reply ends).
 */
export type StartOutcome =
	{ started: SequencedMessage } | { started?: undefined; refused: 'answered' | 'busy' };

/** How much a store keeps; see ./retention for the exact rules. */
export interface RetentionOptions {
	/** Messages kept per client id once acknowledged (RETAIN_MESSAGES, 1000). */
	retainMessages: number;
	/** Age after which messages and the latest still are dropped (RETAIN_HOURS, 168 h). */
	retainMs: number;
	/** The clock, ms since the epoch; injectable so that tests can age the store. */
	now: () => number;
}

/** The store's calls, synchronous: SqliteStore and MemoryStore. Documented on MessageStore. */
export interface SyncMessageStore {
	/** The identity of a client id's log; undefined when the store does not know the id. */
	identity(clientId: string): ClientIdentity | undefined;
	/**
	 * For each arriving connection, in order: reads its client id's identity and last seq, and
	 * claims the id for the holder of the token whose hash is `tokenHash`, atomically and only if
	 * nobody owns it (set-if-absent): an unknown id gets a new log with a new epoch; a log without
	 * an owner (made before ownership existed) gets this one. Any instance sharing the store sees
	 * a claim at once. Many at once because every connection that arrives in one turn of the event
	 * loop is looked up together (../arrival-queue): SqliteStore does them in one transaction.
	 */
	arrive(batch: readonly ArrivalRequest[]): ArrivalRecord[];
	/**
	 * Records a client `chat` or `frame`. Returns true when the id is new (a chat becomes pending;
	 * a still becomes the latest image), false when it was accepted before (acknowledge it again,
	 * change nothing). Durable when this returns: the server sends `ack {id}` right after.
	 */
	acceptClientMessage(clientId: string, input: AcceptedInput): boolean;
	/**
	 * acceptClientMessage for many messages at once, in order, in one durable commit (one fsync for
	 * all of them: see ../accept-queue). Returns, for each, whether it was new; an id that comes
	 * twice in one batch is new only the first time. Throws, storing none, if the commit fails.
	 */
	acceptClientMessages(batch: readonly AcceptRequest[]): boolean[];
	/**
	 * Gives a server message the next `seq` of this client id (1, 2, 3… without gaps, across
	 * connections and, for a durable store, restarts), stores it and returns it with its `seq`.
	 * An id without a log gets one (with a new epoch and no owner).
	 * The server sends a message only after this returns. A `reply.start` ties the reply to its
	 * pending chat; the reply's `reply.end` or `reply.interrupted` marks that chat answered.
	 */
	appendServerMessage(clientId: string, message: UnsequencedMessage): SequencedMessage;
	/**
	 * Claims the answering of a chat, atomically: stores `reply.start` (as appendServerMessage)
	 * only if the chat is not answered and no reply to it is open, so that two instances holding
	 * the same pending chat never both answer it. A chat the store does not know is started.
	 */
	startReply(clientId: string, message: UnsequencedStart): StartOutcome;
	/** The stored messages with `seq > afterSeq`, in order, at most `limit` of them. */
	replay(clientId: string, afterSeq: number, limit?: number): SequencedMessage[];
	/**
	 * Records that the client has every message up to `seq` (client `ack`, or `resume`). Deletes
	 * nothing by itself (the page rebuilds its transcript from the log); it makes those messages
	 * the first to go when the log is over its count limit. Never moves backwards.
	 */
	acknowledge(clientId: string, seq: number): void;
	/** The highest `seq` the client has acknowledged (0 before the first). */
	ackedSeq(clientId: string): number;
	/** The highest `seq` given out for this client id (0 before the first). */
	lastSeq(clientId: string): number;
	/** Accepted chats whose reply has not started or not finished, in the order accepted. */
	pendingChats(clientId: string): PendingChat[];
	/** The latest camera still of this client id, if it is within the age limit. */
	latestImage(clientId: string): ImageInput | undefined;
	/**
	 * After a restart: closes every reply that has a `reply.start` but no end with a stored
	 * `reply.interrupted` (which counts as its chat's answer), one client id at a time. Returns
	 * what it closed and which client ids failed (their data is left as it was). `streaming`
	 * names the replies this process runs itself (a worker that recovers after taking over has
	 * started some already): they are left open.
	 */
	recover(streaming?: (replyId: string) => boolean): RecoveryReport;
	/** Drops what is past the age limit (messages, stills, old accepted ids), for every client. */
	sweep(): void;
	/** Releases the store (closes files). Safe to call twice. */
	close(): void;
}

/** The server's view of a store: every call of SyncMessageStore, answered by a Promise. */
export type MessageStore = {
	[K in keyof SyncMessageStore]: (
		...args: Parameters<SyncMessageStore[K]>
	) => Promise<ReturnType<SyncMessageStore[K]>>;
};
