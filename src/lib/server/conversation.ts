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
 */
import { randomUUID } from 'node:crypto';
import type { Mood, SequencedMessage, UnsequencedMessage } from '../protocol/server-messages';
import type { ChatInput, ImageInput } from '../protocol/client-messages';
import type { Brain, BrainRequest, ConnectionFacts } from './brain/types';
import { metrics } from './metrics';
import type { MessageStore } from './store/message-store';

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

	constructor(deps: ConversationDeps) {
		this.#deps = deps;
		this.#lastImage = deps.store.latestImage(deps.clientId);
	}

	/** Whether a reply is being streamed or chats wait for one (or are being stored). */
	get busy(): boolean {
		return this.#current !== undefined || this.#queue.length > 0 || this.#accepting > 0;
	}

	/** Chats waiting for the brain: the one answered now, the queue, and those being stored. */
	get waiting(): number {
		return (this.#current ? 1 : 0) + this.#queue.length + this.#accepting;
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
	resumePending(): void {
		for (const { id, text } of this.#deps.store.pendingChats(this.#deps.clientId)) {
			if (!this.#knows(id)) this.#queue.push({ kind: 'chat', id, text });
		}
		this.#next();
	}

	/** Answers a newly accepted chat: now, after the queue, or at once as a barge-in. */
	chat(input: ChatInput): void {
		if (this.#knows(input.id)) return;
		if (this.#isBargeIn()) {
			this.#queue.unshift(input);
			this.interrupt(); // its end starts the next reply: this chat
			return;
		}
		this.#queue.push(input);
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
		this.#finish(reply, { type: 'reply.interrupted', replyId: reply.replyId });
		return true;
	}

	/**
	 * Shutdown: interrupts the current reply, answers nothing more, and waits until the reply's
	 * task has wound down. Queued chats stay pending in the store for the next start.
	 */
	async stop(): Promise<void> {
		this.#stopped = true;
		this.#queue.length = 0;
		const reply = this.#current;
		this.interrupt();
		await reply?.done;
	}

	#knows(id: string): boolean {
		return this.#current?.input.id === id || this.#queue.some((queued) => queued.id === id);
	}

	#isBargeIn(): boolean {
		const seq = this.#current?.firstDeltaSeq;
		return seq !== undefined && this.#deps.store.ackedSeq(this.#deps.clientId) >= seq;
	}

	/** Starts the next queued chat's reply, if nothing runs. */
	#next(): void {
		if (this.#stopped || this.#current) return;
		const input = this.#queue.shift();
		if (!input) return;
		const replyId = randomUUID();
		try {
			this.#append({ type: 'reply.start', replyId, inReplyTo: input.id, userText: input.text });
		} catch (error) {
			this.#queue.unshift(input); // still pending in the store; the next chat retries it
			this.#deps.onFault(error);
			return;
		}
		const reply: RunningReply = {
			replyId,
			input,
			controller: new AbortController(),
			firstPiece: metrics.firstPieceSeconds.startTimer(),
			done: Promise.resolve()
		};
		this.#current = reply;
		const request = this.#request(input);
		reply.done = this.#run(reply, request).catch((error: unknown) => this.#fail(reply, error));
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
				const delta = this.#append({
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
		this.#finish(reply, mood ? { ...end, mood } : end);
	}

	/** A reply broke (a bug, or the store failed): log it and mark the reply interrupted. */
	#fail(reply: RunningReply, error: unknown): void {
		this.#deps.onFault(error);
		try {
			this.#finish(reply, { type: 'reply.interrupted', replyId: reply.replyId });
		} catch (again) {
			this.#deps.onFault(again);
		}
	}

	/** Ends `reply` with its last message (if it is still the current one), then goes on. */
	#finish(reply: RunningReply, last: UnsequencedMessage): void {
		if (this.#current !== reply) return;
		this.#current = undefined;
		try {
			this.#append(last);
		} finally {
			this.#next();
			if (!this.busy) this.#deps.onIdle();
		}
	}

	/** Stores first, then delivers: the rule that makes replay possible. */
	#append(message: UnsequencedMessage): SequencedMessage {
		const commit = metrics.storeCommitSeconds.startTimer({ op: 'append' });
		const stored = this.#deps.store.appendServerMessage(this.#deps.clientId, message);
		commit();
		const outcome = REPLY_OUTCOMES[message.type];
		if (outcome) metrics.replies.inc({ outcome });
		this.#deps.deliver(stored);
		return stored;
	}
}
