/**
 * The conversation over the page's connection: the protocol's client half. It resumes after
 * every `connected`, sends the outbox again in order (the outbox keeps each message's delivery
 * state, which the transcript reads), applies the server's stored messages to the transcript
 * exactly once (by `seq`), acknowledges them, and tells the page when an answer to one of its own
 * messages streams (to speak it).
 *
 * Ownership and epochs (protocol.md): the token the server gives a newly claimed client id is
 * kept beside the id and sent in every `resume`, with the epoch and last seq the transcript
 * holds. A `connected` of another epoch (the server's log started over) restarts the seq
 * bookkeeping, so the new log's replies show. A page that holds no token for a known id (a
 * `?clientId=` of someone else's) sends nothing and says why; its outbox stays as it is.
 *
 * It owns no state that lives elsewhere: it asks the connection whether it can send, listens to
 * the machine's snapshots only to learn that a socket has gone (its unacknowledged messages are
 * then pending again), and asks the transcript which answers are the page's own.
 */
import { serialize, validateServerMessage } from '$lib/protocol/parse';
import {
	ERROR_CODES,
	isSequenced,
	type SequencedMessage,
	type ServerMessage
} from '$lib/protocol/server-messages';
import type { CameraFrame } from '$lib/camera/still';
import { loadToken, saveToken } from '$lib/connection/client-token';
import type { PageConnection } from '$lib/connection/page-connection.svelte';
import { makeMessageId, Outbox, type OutboxEntry } from './outbox.svelte';
import { checkChatText, type ChatSurface } from './chat-surface';
import { applyStored, type LiveReplyEvent } from './apply-stored';
import { Transcript, type DeliverySource } from './transcript.svelte';

export type { LiveReplyEvent } from './apply-stored';

export interface ChatClientOptions {
	connection: PageConnection;
	clientId: string;
	storage: Storage | null;
	now?: () => number;
	onLiveReply?: (event: LiveReplyEvent) => void;
	/**
	 * The transcript to show the conversation in; default a new one reading the outbox. A tab that
	 * takes the connection over from another passes the one it has shown so far.
	 */
	transcript?: Transcript;
	/** Called after every change of the outbox (the other tabs show its marks). */
	onOutboxChange?: (entries: readonly OutboxEntry[]) => void;
	/**
	 * Given when the client id was made by this browser: the server knows the id and this page
	 * holds no token for it, so the token was lost on its way (the talk page then makes a new id).
	 * Called once, instead of saying that the id belongs to another browser.
	 */
	onIdLost?: () => void;
}

/** How long to gather stored messages before acknowledging them in one `ack`. */
const ACK_DELAY_MS = 250;

/**
 * How long to wait before sending a message again that the server failed to store
 * (`internal_error`): soon enough to get an answer, slow enough that a store that keeps failing
 * never pushes the page into the rate limit.
 */
export const RETRY_AFTER_SERVER_ERROR_MS = 5_000;

/** Error codes that refuse a message for now, not for good: it is sent again after a pause. */
const RETRIED_LATER: ReadonlySet<string> = new Set([
	ERROR_CODES.internalError,
	ERROR_CODES.busy,
	ERROR_CODES.unavailable
]);

export class ChatClient implements ChatSurface {
	readonly transcript: Transcript;
	readonly #connection: PageConnection;
	readonly #outbox: Outbox;
	readonly #clientId: string;
	readonly #storage: Storage | null;
	/** The ownership token of this client id, if this browser holds one. */
	#token: string | undefined;
	/** The page has said once that this client id is not its own. */
	#warnedNotOwner = false;
	readonly #onLiveReply: ChatClientOptions['onLiveReply'];
	readonly #onIdLost: ChatClientOptions['onIdLost'];
	readonly #cleanups: Array<() => void> = [];
	/** `resume` has gone out on the current socket; the outbox may flow. */
	#resumed = false;
	#ackTimer: ReturnType<typeof setTimeout> | null = null;
	#retryTimer: ReturnType<typeof setTimeout> | null = null;
	#ackedSeq = 0;
	/** The page has said once that the outbox cannot be stored. */
	#warnedUnsaved = false;

	constructor(options: ChatClientOptions) {
		this.#connection = options.connection;
		this.#onLiveReply = options.onLiveReply;
		this.#onIdLost = options.onIdLost;
		this.#clientId = options.clientId;
		this.#storage = options.storage;
		this.#token = loadToken(options.storage, options.clientId);
		this.#outbox = new Outbox({
			clientId: options.clientId,
			storage: options.storage,
			now: options.now,
			onChange: options.onOutboxChange
		});
		this.transcript = options.transcript ?? new Transcript(this.#outbox);
	}

	/** Shows the saved outbox and starts listening. Call before the connection starts. */
	start(): void {
		this.#reportDropped(this.#outbox.expire().dropped);
		this.#outbox.requeueSent();
		for (const entry of this.#outbox.entries) {
			if (entry.message.type === 'chat') this.transcript.addUser(entry.id, entry.message.text);
		}
		this.#cleanups.push(this.#connection.onMessage((message) => this.#receive(message)));
		const subscription = this.#connection.actor.subscribe(() => this.#onConnectionChange());
		this.#cleanups.push(() => subscription.unsubscribe());
	}

	stop(): void {
		for (const cleanup of this.#cleanups.splice(0)) cleanup();
		if (this.#ackTimer) clearTimeout(this.#ackTimer);
		this.#ackTimer = null;
		if (this.#retryTimer) clearTimeout(this.#retryTimer);
		this.#retryTimer = null;
	}

	/**
	 * Sends a chat message (with a camera still before it, when given): it shows at once as
	 * pending and goes out now or when the connection opens. Returns an error text for a message
	 * that cannot be sent (empty, too long), else null.
	 */
	send(text: string, still?: CameraFrame | null): string | null {
		const checked = checkChatText(text);
		if ('problem' in checked) return checked.problem;
		const trimmed = checked.text;
		if (still) this.sendFrame(still);
		const id = makeMessageId();
		this.#queue({ type: 'chat', id, text: trimmed });
		this.transcript.addUser(id, trimmed, !!still);
		this.#flush();
		return null;
	}

	/** Where each queued message's delivery state is read (the outbox). */
	get delivery(): DeliverySource {
		return this.#outbox;
	}

	/** The queued messages, oldest first. */
	get queued(): readonly OutboxEntry[] {
		return this.#outbox.entries;
	}

	/**
	 * Queues a message another tab of this client made (or this tab made before it held the
	 * connection): once, however often it comes, and shown like one typed here.
	 */
	accept(message: OutboxEntry['message'], withImage = false): void {
		if (this.#outbox.stateOf(message.id) === undefined && !this.transcript.answered(message.id)) {
			this.#queue(message);
		}
		if (message.type === 'chat') this.transcript.addUser(message.id, message.text, withImage);
		this.#flush();
	}

	/** Sends a camera still: context for the next answer. */
	sendFrame(still: CameraFrame): void {
		this.#queue({ type: 'frame', id: makeMessageId(), ...still });
		this.#flush();
	}

	/** Asks the server to stop the answer being streamed (barge-in). */
	interrupt(replyId?: string): void {
		if (!this.#resumed) return;
		this.#connection.send(
			serialize(replyId ? { type: 'interrupt', replyId } : { type: 'interrupt' })
		);
	}

	#queue(message: OutboxEntry['message']): void {
		this.#reportDropped(this.#outbox.add(message).dropped);
		if (this.#outbox.saveFailed && !this.#warnedUnsaved) {
			this.#warnedUnsaved = true;
			this.transcript.notice(
				'This browser would not store unsent messages: they are kept only while this page stays open.',
				'warning'
			);
		}
	}

	/** Sends every pending message in order, if the socket is open and resumed. */
	#flush(): void {
		if (!this.#resumed) return;
		for (const entry of this.#outbox.unacknowledged()) {
			if (entry.state !== 'pending') continue;
			if (!this.#connection.send(serialize(entry.message))) return;
			this.#outbox.markSent(entry.id);
		}
	}

	#onConnectionChange(): void {
		if (this.#connection.canSend) return;
		if (!this.#resumed) return;
		// The socket is gone: what it carried without an ack goes again on the next one.
		this.#resumed = false;
		this.#outbox.requeueSent();
	}

	#receive(data: unknown): void {
		const parsed = validateServerMessage(data);
		if (!parsed.ok) {
			console.warn('Talkline: ignored a server message:', parsed.error.message);
			return;
		}
		const message = parsed.message;
		if (isSequenced(message)) return this.#applyStored(message);
		this.#handle(message);
	}

	#handle(message: Exclude<ServerMessage, SequencedMessage>): void {
		switch (message.type) {
			case 'connected':
				return this.#connected(message);
			case 'ack':
				this.#outbox.markAcked(message.id);
				return;
			case 'error':
				return this.#error(message.code, message.message, message.id);
			default:
				return; // ping/pong: the connection machine answers and times them.
		}
	}

	#connected(message: Extract<ServerMessage, { type: 'connected' }>): void {
		if (message.token !== undefined) {
			// This connection claimed the id: the token proves it from now on.
			this.#token = message.token;
			saveToken(this.#storage, this.#clientId, message.token);
		}
		if (this.#token === undefined) return this.#notOwner();
		if (this.transcript.enterEpoch(message.epoch)) this.#ackedSeq = 0;
		this.#resumed = true;
		const resume = { lastSeq: this.transcript.lastSeq, epoch: message.epoch, token: this.#token };
		this.#connection.send(serialize({ type: 'resume', ...resume }));
		this.#flush();
	}

	/**
	 * The server knows this id and this page holds no token for it: send nothing, and say why, or
	 * (an id made here, whose token was lost) let the page take a new id.
	 */
	#notOwner(): void {
		if (this.#warnedNotOwner) return;
		this.#warnedNotOwner = true;
		if (this.#onIdLost) return this.#onIdLost();
		this.transcript.notice(
			`The conversation “${this.#clientId}” belongs to another browser, so this page cannot ` +
				'show or continue it. Unsent messages are kept here. Open the page without ' +
				'?clientId= to talk in a conversation of your own.',
			'error'
		);
	}

	#applyStored(message: SequencedMessage): void {
		if (!applyStored(this.transcript, message, this.#onLiveReply)) return;
		if (message.type === 'reply.start') this.#outbox.remove(message.inReplyTo);
		this.#scheduleAck(message.type === 'reply.end' || message.type === 'reply.interrupted');
	}

	#error(code: string, text: string, id: string | undefined): void {
		const entry = id ? this.#outbox.entries.find((e) => e.id === id) : undefined;
		if (entry && code === ERROR_CODES.badMessage) {
			// The server will never accept it as it is: take it out, and say so.
			this.#outbox.remove(entry.id);
			this.transcript.settleUser(entry.id, 'refused');
			this.transcript.notice(`A message was refused by the server: ${text}`, 'error');
			return;
		}
		if (entry && RETRIED_LATER.has(code)) {
			// The server failed or is busy, not the message: it stays in the outbox and goes again shortly.
			this.#outbox.requeue(entry.id);
			if (this.#retryTimer) return; // one notice and one retry for a batch of failures
			this.#retryTimer = setTimeout(() => {
				this.#retryTimer = null;
				this.#flush();
			}, RETRY_AFTER_SERVER_ERROR_MS);
			const seconds = RETRY_AFTER_SERVER_ERROR_MS / 1000;
			const why =
				code === ERROR_CODES.busy
					? 'The server has too many of your messages waiting for an answer'
					: 'The server could not store a message just now';
			this.transcript.notice(`${why}; it goes again in ${seconds} s.`, 'warning');
			return;
		}
		if (entry && code === ERROR_CODES.unauthorized) {
			// Not this page's id: the message is not lost, it waits in the outbox.
			this.#outbox.requeue(entry.id);
			return this.#notOwner();
		}
		const tone = code === ERROR_CODES.brainFailed ? 'warning' : 'error';
		this.transcript.notice(text, tone);
	}

	/** Acknowledges what has been applied, at the end of an answer or shortly after the last. */
	#scheduleAck(now: boolean): void {
		if (this.#ackTimer) clearTimeout(this.#ackTimer);
		this.#ackTimer = null;
		const ack = () => {
			this.#ackTimer = null;
			// `resume` must be the first message on a socket; it acknowledges `lastSeq` itself.
			if (!this.#resumed) return;
			const seq = this.transcript.lastSeq;
			if (seq > this.#ackedSeq && this.#connection.send(serialize({ type: 'ack', seq }))) {
				this.#ackedSeq = seq;
			}
		};
		if (now) ack();
		else this.#ackTimer = setTimeout(ack, ACK_DELAY_MS);
	}

	#reportDropped(dropped: OutboxEntry[]): void {
		const chats = dropped.filter((entry) => entry.message.type === 'chat');
		for (const entry of chats) {
			if (entry.message.type !== 'chat') continue;
			this.transcript.settleUser(entry.id, 'dropped');
			this.transcript.notice(
				`Not sent, and no longer kept for sending (the outbox holds ${this.#outbox.limits}): “${preview(entry.message.text)}”`,
				'warning'
			);
		}
	}
}

function preview(text: string): string {
	return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
