/**
 * Between instances: how the instance that holds a client's socket hears of what another
 * instance stored for it, and how an older connection of the client on another instance learns
 * it was replaced. One instance (SQLite, memory) needs none of it: `localFanout` does nothing.
 * With Redis it is ./store/redis-fanout.
 */
import type { SequencedMessage } from '../protocol/server-messages';

/** What the fan-out tells the server about a client id it holds. */
export interface HeldClient {
	/** A message was stored for this client (by any instance, this one included). */
	stored(message: SequencedMessage): void;
	/** A connection of this client id opened on another instance: close ours with "replaced". */
	replaced(bySessionId: string): void;
	/**
	 * Chats of this client may be waiting for an answer (on holding it, and again when an instance
	 * that was answering them is found dead): answer them.
	 */
	resumePending(): void;
}

export interface Fanout {
	/**
	 * This instance now holds `clientId`'s socket (session `sessionId`): from now on it hears what
	 * is stored for it, older connections elsewhere are told to close, and replies that a dead
	 * instance left open are closed before `client.resumePending()` is called.
	 */
	hold(clientId: string, sessionId: string, client: HeldClient): Promise<void>;
	/** This instance no longer holds `clientId`. */
	release(clientId: string): void;
	/** Stops listening (shutdown). */
	close(): Promise<void>;
}

/** One instance: every connection and reply is in this process; nothing to tell anyone. */
export const localFanout: Fanout = {
	async hold(_clientId, _sessionId, client) {
		client.resumePending();
	},
	release() {},
	async close() {}
};
