/**
 * The storage behind the delivery rules of protocol.md. The server talks only to this interface;
 * the in-memory store implements it now, a SQLite store (issue 6) later.
 *
 * Implementations are synchronous, as better-sqlite3 is: each call is one small transaction, and
 * the server never has to reason about two appends for the same client interleaving.
 */
import type { SequencedMessage, UnsequencedMessage } from '../../protocol/server-messages';

export interface MessageStore {
	/**
	 * Records the id of a client `chat` or `frame`. Returns true when the id is new (answer it),
	 * false when it was accepted before (acknowledge it again, answer nothing). The id must be
	 * durable when this returns: the server sends `ack {id}` right after.
	 */
	acceptClientMessage(clientId: string, id: string): boolean;
	/**
	 * Gives a server message the next `seq` of this client id (1, 2, 3… without gaps, across
	 * connections and, for a durable store, restarts), stores it and returns it with its `seq`.
	 * The server sends a message only after this returns.
	 */
	appendServerMessage(clientId: string, message: UnsequencedMessage): SequencedMessage;
	/** The stored messages with `seq > afterSeq`, in order, at most `limit` of them. */
	replay(clientId: string, afterSeq: number, limit?: number): SequencedMessage[];
	/** Forgets the stored messages with `seq <= uptoSeq` (the client has them all). */
	trim(clientId: string, uptoSeq: number): void;
	/** The highest `seq` given out for this client id (0 before the first). */
	lastSeq(clientId: string): number;
	/**
	 * Makes the next `seq` of this client id greater than `seq`. Used when a client reports more
	 * than the store knows (the store lost its data): new messages must not reuse numbers the
	 * client has already seen, or it would drop them as duplicates.
	 */
	advanceSeq(clientId: string, seq: number): void;
	/** Releases the store (closes files). Safe to call twice. */
	close(): void;
}
