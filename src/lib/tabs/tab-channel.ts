/**
 * The tabs' channel: a `BroadcastChannel` named after the client id, stamping each message with
 * this tab's id and validating each one that arrives (a bad one is reported once in the console
 * and dropped). A message reaches every other tab of the same origin on the same channel name,
 * never the sender itself.
 */
import { parseTabMessage, type OutgoingTabMessage, type TabMessage } from './tab-messages';

/** What the channel needs of a `BroadcastChannel` (tests pass a fake). */
export interface BroadcastLike {
	postMessage(message: unknown): void;
	addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
	close(): void;
}

export class TabChannel {
	readonly tabId: string;
	readonly #channel: BroadcastLike;
	readonly #listeners = new Set<(message: TabMessage) => void>();
	#closed = false;

	constructor(channel: BroadcastLike, tabId: string) {
		this.tabId = tabId;
		this.#channel = channel;
		channel.addEventListener('message', (event) => this.#receive(event.data));
	}

	post(message: OutgoingTabMessage): void {
		if (this.#closed) return;
		try {
			this.#channel.postMessage({ ...message, from: this.tabId });
		} catch (error) {
			// A message that cannot be cloned is a bug here, not a reason to stop the page.
			console.warn('Talkline: a message to the other tabs could not be sent:', error);
		}
	}

	/** Calls `listener` with every valid message from another tab; returns the unsubscribe. */
	listen(listener: (message: TabMessage) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	close(): void {
		this.#closed = true;
		this.#listeners.clear();
		this.#channel.close();
	}

	#receive(data: unknown): void {
		if (this.#closed) return;
		const parsed = parseTabMessage(data);
		if (!parsed.ok) {
			console.warn('Talkline: ignored a message from another tab:', parsed.error);
			return;
		}
		const message = parsed.message;
		if (message.from === this.tabId) return;
		if ('to' in message && message.to !== this.tabId) return;
		for (const listener of this.#listeners) listener(message);
	}
}

/** The channel's name for a client id: tabs of other ids never hear each other. */
export function channelName(clientId: string): string {
	return `talkline:${clientId}`;
}
