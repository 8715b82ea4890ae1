/**
 * One client id's conversation with the brain. It outlives connections: a reply that is
 * streaming when the socket drops goes on into the store and reaches the next connection by
 * replay.
 *
 * One reply at a time, chats answered in the order they came (a FIFO queue), each exactly once:
 * - A chat that arrives while a reply runs waits its turn, unless it is a barge-in.
 * - A barge-in is a chat sent by a client that had already received the current reply's first
 *   `reply.delta`: it arrives after the reply began speaking AND after the client acknowledged
 *   (`ack {seq}`) that delta's seq. It interrupts the current reply (`reply.interrupted`) and is
 *   answered next; chats already queued keep their order behind it. Requiring the ack is what
 *   keeps a burst of chats (a client outbox resending after a reconnect) from interrupting
 *   itself: those chats were sent before their sender could have seen any answer.
 * - `interrupt` cuts only the current reply; the queue goes on.
 * - A `frame` is context, not a question: it becomes the latest still, which the next reply uses
 *   (the local brain describes it when asked; a multimodal brain is sent it with the next chat).
 * - A reply ends with `reply.end`, or `reply.interrupted` (barge-in, `interrupt`, shutdown, a
 *   crash found on restart). Either one counts as the chat's answer: it is never answered again.
 * - Accepted chats are pending in the store until then; a new conversation (after a restart)
 *   picks them up with `resumePending()` and answers them in order.
 * - Several instances (Redis) may hold the same pending chat: a reply starts only if the store
 *   lets this conversation claim the chat (`startReply`), so each is answered once. While another
 *   instance's reply of this client is open, the queue waits for `retry()` (its end was seen).
 * - The store is asynchronous: every write of this conversation goes through one chain, so they
 *   are stored in the order they were made (a reply's end before the next reply's start), and a
 *   message is delivered only once it is stored. A reply's end the store refuses is offered again
 *   every second until stored; no other reply starts before (an open reply keeps its answer
 *   unfinished on the page and other instances `busy`).
 */
import { randomUUID } from 'node:crypto';
import type { Mood, SequencedMessage, UnsequencedMessage } from '../protocol/server-messages';
import type { ChatInput, ImageInput } from '../protocol/client-messages';
import type { Brain, BrainRequest, ConnectionFacts } from './brain/types';
import { metrics } from './metrics';
import type { MessageStore, StartOutcome } from './store/message-store';

export interface ConversationDeps {
	clientId: string;
	store: MessageStore;
	brain: Brain;
	/** Hands a stored message to the live connection, if any. */
	deliver: (message: SequencedMessage) => void;
	/** Sends an `error` to the live connection, if any (not stored). */
	sendError: (code: string, message: string, id: string) => void;
	facts: () => ConnectionFacts;
	/** Something unexpected broke a reply (a bug or the store); logged, never thrown. */
	onFault: (error: unknown) => void;
	/** No reply runs and none waits. */
	onIdle: () => void;
}

interface RunningReply {
	replyId: string;
	input: ChatInput;
	controller: AbortController;
	/** The seq of the first `reply.delta`, once the reply has begun speaking. */
	firstDeltaSeq?: number;
	/** Observes the time to the first `reply.delta` (for /metrics). */
	firstPiece: () => void;
	done: Promise<void>;
}

/** How soon a chat refused as `busy` is tried again if no reply end was heard meanwhile. */
const BUSY_RETRY_MS = 1_000;
/** How long before a reply's end the store refused is offered to it again. */
const END_RETRY_MS = 1_000;

/** The reply messages that count a reply's start and end in /metrics. */
const REPLY_OUTCOMES: Partial<Record<UnsequencedMessage['type'], string>> = {
	'reply.start': 'started',
	'reply.end': 'finished',
	'reply.interrupted': 'interrupted'
};

export class Conversation {
	readonly #deps: ConversationDeps;
	readonly #queue: ChatInput[] = [];
	#current: RunningReply | undefined;
	#lastImage: ImageInput | undefined;
	/** Whether the latest still came after the current (or last) reply started. */
	#freshImage = false;
	#stopped = false;
	/** Chats handed to the store's commit and not settled yet: they will wait too. */
	#accepting = 0;
	/** Chats (and pending-chat loads) waiting their turn on the inbox chain. */
	#arriving = 0;
	/** Arrivals are handled one after the other (some need to read the store first). */
	#inbox: Promise<void> = Promise.resolve();
	/** The latest still from the store, read when the conversation is made. */
	readonly #imageLoaded: Promise<void>;
	/** The store writes of this conversation, one after the other. */
	#writes: Promise<unknown> = Promise.resolve();
	/** A reply start the store refused as `busy`: wait for retry() before the next attempt. */
	#blocked = false;
	/**
	 * Replies' last messages not stored yet. Until one is, its reply is open in the log (the
	 * page's answer never ends, other instances are told `busy`): a refused one is offered again
	 * until stored, and no new reply starts before they all are.
	 */
	readonly #unstoredEnds: UnsequencedMessage[] = [];
	#endRetry: ReturnType<typeof setTimeout> | undefined;

	constructor(deps: ConversationDeps) {
		this.#deps = deps;
		this.#imageLoaded = deps.store.latestImage(deps.clientId).then(
			(image) => {
				this.#lastImage ??= image;
			},
			(error: unknown) => deps.onFault(error)
		);
	}

	/**
	 * Whether a reply is being streamed or chats wait for one (or are being stored), or a reply's
	 * end still has to be stored.
	 */
	get busy(): boolean {
		return this.waiting > 0 || this.#unstoredEnds.length > 0;
	}

	/** Whether this reply is this conversation's: streaming now, or its end not stored yet. */
	runs(replyId: string): boolean {
		return (
			this.#current?.replyId === replyId ||
			this.#unstoredEnds.some((end) => 'replyId' in end && end.replyId === replyId)
		);
	}

	/** Chats waiting for the brain: the one answered now, the queue, and those being stored. */
	get waiting(): number {
		return (this.#current ? 1 : 0) + this.#queue.length + this.#accepting + this.#arriving;
	}

	/**
	 * Takes a place for a chat about to be stored, unless `max` chats already wait: then false
	 * (the client gets `busy` and sends it again later). A chat it already knows always gets one:
	 * sent again, it is only acked again. Give the place back with `settled()`.
	 */
	reserve(id: string, max: number): boolean {
		if (!this.#knows(id) && this.waiting >= max) return false;
		this.#accepting += 1;
		return true;
	}

	/** A reserved chat's commit has settled (it is queued now, or was not stored). */
	settled(): void {
		this.#accepting = Math.max(0, this.#accepting - 1);
	}

	/** Queues the chats the store holds as accepted but unanswered (after a restart) and starts. */
	resumePending(): Promise<void> {
		return this.#arrive(false, async () => {
			for (const { id, text } of await this.#deps.store.pendingChats(this.#deps.clientId)) {
				if (!this.#knows(id)) this.#queue.push({ kind: 'chat', id, text });
			}
			this.#next();
		});
	}

	/**
	 * Answers a newly accepted chat: now, after the queue, or at once as a barge-in. A chat sent
	 * `again` (accepted before) is queued too unless known here, never as a barge-in: the store
	 * refuses it if it was answered (its first commit may have been stored without its ack, by a
	 * Redis that answered too late).
	 */
	chat(input: ChatInput, again = false): Promise<void> {
		return this.#arrive(true, async () => {
			if (this.#knows(input.id)) return;
			if (!again && (await this.#isBargeIn())) {
				this.#queue.unshift(input);
				this.interrupt(); // its end starts the next reply: this chat
				return;
			}
			this.#queue.push(input);
			this.#next();
		});
	}

	/** Another reply of this client id has ended (seen from another instance): try the queue again. */
	retry(): void {
		if (!this.#blocked) return;
		this.#blocked = false;
		this.#next();
	}

	/** Remembers a camera still for the next reply; a still is never answered on its own. */
	frame(image: ImageInput): void {
		this.#lastImage = image;
		this.#freshImage = true;
	}

	/**
	 * Cuts the current reply short. With a `replyId`, only that reply. Returns whether a reply was
	 * interrupted. The `reply.interrupted` is stored at once, so it precedes any next reply.
	 */
	interrupt(replyId?: string): boolean {
		const reply = this.#current;
		if (!reply || (replyId !== undefined && replyId !== reply.replyId)) return false;
		reply.controller.abort();
		this.#finish(reply, { type: 'reply.interrupted', replyId: reply.replyId }).catch(
			this.#deps.onFault
		);
		return true;
	}

	/**
	 * Shutdown: interrupts the current reply, answers nothing more, and waits until the reply's
	 * task has wound down. Queued chats stay pending in the store for the next start.
	 */
	async stop(): Promise<void> {
		this.#stopped = true;
		this.#queue.length = 0;
		// An end the store refused stays unstored: the next start closes the reply (recover()).
		clearTimeout(this.#endRetry);
		const reply = this.#current;
		this.interrupt();
		await reply?.done;
		await this.#writes;
	}

	/** Runs `step` after the arrivals before it; a chat counts as waiting until it has run. */
	#arrive(isChat: boolean, step: () => Promise<void>): Promise<void> {
		if (isChat) this.#arriving += 1;
		const done = this.#inbox.then(step).catch((error: unknown) => this.#deps.onFault(error));
		this.#inbox = done.finally(() => {
			if (isChat) this.#arriving -= 1;
			if (!this.busy) this.#deps.onIdle();
		});
		return this.#inbox;
	}

	#knows(id: string): boolean {
		return this.#current?.input.id === id || this.#queue.some((queued) => queued.id === id);
	}

	async #isBargeIn(): Promise<boolean> {
		const seq = this.#current?.firstDeltaSeq;
		if (seq === undefined) return false;
		const acked = await this.#deps.store.ackedSeq(this.#deps.clientId);
		return this.#current?.firstDeltaSeq === seq && acked >= seq;
	}

	/** Starts the next queued chat's reply, if nothing runs. */
	#next(): void {
		if (this.#stopped || this.#current || this.#blocked || this.#unstoredEnds.length > 0) return;
		const input = this.#queue.shift();
		if (!input) return;
		const reply: RunningReply = {
			replyId: randomUUID(),
			input,
			controller: new AbortController(),
			firstPiece: metrics.firstPieceSeconds.startTimer(),
			done: Promise.resolve()
		};
		this.#current = reply;
		reply.done = this.#begin(reply).catch((error: unknown) => this.#fail(reply, error));
	}

	/** Claims the chat in the store (its `reply.start`), then streams the brain's answer. */
	async #begin(reply: RunningReply): Promise<void> {
		const { input, replyId } = reply;
		const start = { type: 'reply.start' as const, replyId, inReplyTo: input.id };
		let outcome: StartOutcome;
		try {
			outcome = await this.#write(() =>
				this.#deps.store.startReply(this.#deps.clientId, { ...start, userText: input.text })
			);
		} catch (error) {
			// Still pending in the store: the next chat (or connection) retries it.
			this.#abandon(reply, () => this.#queue.unshift(input));
			this.#deps.onFault(error);
			return;
		}
		if (!outcome.started) {
			// `answered`: another instance has answered it, or is answering it: drop it.
			// `busy`: another instance's reply of this client is open: wait for its end.
			this.#abandon(reply, () => {
				if (outcome.refused === 'busy') {
					this.#queue.unshift(input);
					this.#blocked = true;
					// The other reply's end may have been heard before this answer came back.
					setTimeout(() => this.retry(), BUSY_RETRY_MS).unref();
				}
			});
			return;
		}
		this.#delivered(outcome.started);
		if (this.#current !== reply) return; // interrupted meanwhile: its end is stored after it
		await this.#imageLoaded;
		await this.#run(reply, this.#request(input));
	}

	/** The reply never started: forget it, put its chat back if `requeue` says so, go on. */
	#abandon(reply: RunningReply, requeue: () => void): void {
		if (this.#current !== reply) return;
		this.#current = undefined;
		requeue();
		this.#next();
		if (!this.busy) this.#deps.onIdle();
	}

	#request(input: ChatInput): BrainRequest {
		const image = this.#freshImage ? this.#lastImage : undefined;
		this.#freshImage = false;
		return {
			clientId: this.#deps.clientId,
			input,
			facts: this.#deps.facts(),
			lastImage: this.#lastImage,
			...(image ? { image } : {}),
			now: new Date()
		};
	}

	async #run(reply: RunningReply, request: BrainRequest): Promise<void> {
		let text = '';
		let mood: Mood | undefined;
		for await (const event of this.#deps.brain.reply(request, reply.controller.signal)) {
			if (this.#current !== reply) return; // interrupted: the brain may still be winding down
			if (event.type === 'text' && event.text) {
				text += event.text;
				const delta = await this.#append({
					type: 'reply.delta',
					replyId: reply.replyId,
					text: event.text
				});
				if (reply.firstDeltaSeq === undefined) reply.firstPiece();
				reply.firstDeltaSeq ??= delta.seq;
			} else if (event.type === 'mood') {
				mood = event.mood;
			} else if (event.type === 'error') {
				this.#deps.sendError(event.code, event.message, reply.input.id);
			}
		}
		const end: UnsequencedMessage = { type: 'reply.end', replyId: reply.replyId, text };
		await this.#finish(reply, mood ? { ...end, mood } : end);
	}

	/** A reply broke (a bug, or the store failed): log it and mark the reply interrupted. */
	#fail(reply: RunningReply, error: unknown): void {
		this.#deps.onFault(error);
		this.#finish(reply, { type: 'reply.interrupted', replyId: reply.replyId }).catch(
			this.#deps.onFault
		);
	}

	/**
	 * Ends `reply` with its last message (if it is still the current one), then goes on once the
	 * end is stored. Rejects if the store refused it (a retry is then scheduled).
	 */
	#finish(reply: RunningReply, last: UnsequencedMessage): Promise<void> {
		if (this.#current !== reply) return Promise.resolve();
		this.#current = undefined;
		this.#unstoredEnds.push(last);
		return this.#storeEnds();
	}

	/**
	 * Stores the ends not stored yet, in order, then starts the next reply. Only one runs at a
	 * time: an end is added only while a reply is current, and none is while ends wait.
	 */
	async #storeEnds(): Promise<void> {
		for (let last = this.#unstoredEnds[0]; last; last = this.#unstoredEnds[0]) {
			try {
				await this.#append(last);
			} catch (error) {
				this.#retryEndsLater();
				throw error;
			}
			this.#unstoredEnds.shift();
		}
		this.#next();
		if (!this.busy) this.#deps.onIdle();
	}

	#retryEndsLater(): void {
		if (this.#endRetry || this.#stopped) return;
		this.#endRetry = setTimeout(() => {
			this.#endRetry = undefined;
			this.#storeEnds().catch(this.#deps.onFault);
		}, END_RETRY_MS);
		this.#endRetry.unref();
	}

	/** Stores first (after this conversation's earlier writes), then delivers. */
	#append(message: UnsequencedMessage): Promise<SequencedMessage> {
		return this.#write(async () => {
			const stored = await this.#deps.store.appendServerMessage(this.#deps.clientId, message);
			this.#delivered(stored);
			return stored;
		});
	}

	/** Runs a store write after this conversation's earlier ones, timed for /metrics. */
	#write<T>(write: () => Promise<T>): Promise<T> {
		const result = this.#writes.then(async () => {
			const commit = metrics.storeCommitSeconds.startTimer({ op: 'append' });
			try {
				return await write();
			} finally {
				commit();
			}
		});
		this.#writes = result.catch(() => undefined); // a failed write does not stop the next
		return result;
	}

	/** A message is stored: count it and hand it to the live connection, if any. */
	#delivered(stored: SequencedMessage): void {
		const outcome = REPLY_OUTCOMES[stored.type];
		if (outcome) metrics.replies.inc({ outcome });
		this.#deps.deliver(stored);
	}
}
