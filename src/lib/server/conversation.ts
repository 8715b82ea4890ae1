/**
 * One client id's conversation with the brain. It outlives connections: a reply that is
 * streaming when the socket drops goes on into the store and reaches the next connection by
 * replay. At most one reply runs at a time; a new input or an `interrupt` cuts the current one
 * short with `reply.interrupted`.
 */
import { randomUUID } from 'node:crypto';
import type { Mood, SequencedMessage, UnsequencedMessage } from '../protocol/server-messages';
import type { Brain, BrainInput, ConnectionFacts, ImageInput } from './brain/types';
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
	/** The reply in progress ended, whichever way. */
	onIdle: () => void;
}

interface RunningReply {
	replyId: string;
	controller: AbortController;
	done: Promise<void>;
}

export class Conversation {
	readonly #deps: ConversationDeps;
	#current: RunningReply | undefined;
	#lastImage: ImageInput | undefined;

	constructor(deps: ConversationDeps) {
		this.#deps = deps;
	}

	/** Whether a reply is being streamed. */
	get busy(): boolean {
		return this.#current !== undefined;
	}

	/** Answers an input, interrupting the reply in progress if there is one. */
	answer(input: BrainInput): void {
		this.interrupt();
		if (input.kind === 'frame') this.#lastImage = input.image;
		const reply: RunningReply = {
			replyId: randomUUID(),
			controller: new AbortController(),
			done: Promise.resolve()
		};
		this.#current = reply;
		this.#append({ type: 'reply.start', replyId: reply.replyId, inReplyTo: input.id });
		reply.done = this.#run(reply, input).catch((error: unknown) => this.#fail(reply, error));
	}

	/**
	 * Cuts the current reply short. With a `replyId`, only that reply. Returns whether a reply was
	 * interrupted. The `reply.interrupted` is stored at once, so it precedes any next reply.
	 */
	interrupt(replyId?: string): boolean {
		const reply = this.#current;
		if (!reply || (replyId !== undefined && replyId !== reply.replyId)) return false;
		reply.controller.abort();
		this.#finish({ type: 'reply.interrupted', replyId: reply.replyId });
		return true;
	}

	/** Interrupts the current reply and waits until its task has wound down (shutdown). */
	async stop(): Promise<void> {
		const reply = this.#current;
		this.interrupt();
		await reply?.done;
	}

	async #run(reply: RunningReply, input: BrainInput): Promise<void> {
		const { brain, clientId } = this.#deps;
		const request = {
			clientId,
			input,
			facts: this.#deps.facts(),
			lastImage: this.#lastImage,
			now: new Date()
		};
		let text = '';
		let mood: Mood | undefined;
		for await (const event of brain.reply(request, reply.controller.signal)) {
			if (this.#current !== reply) return; // interrupted: the brain may still be winding down
			if (event.type === 'text' && event.text) {
				text += event.text;
				this.#append({ type: 'reply.delta', replyId: reply.replyId, text: event.text });
			} else if (event.type === 'mood') {
				mood = event.mood;
			} else if (event.type === 'error') {
				this.#deps.sendError(event.code, event.message, input.id);
			}
		}
		if (this.#current !== reply) return;
		const end: UnsequencedMessage = { type: 'reply.end', replyId: reply.replyId, text };
		this.#finish(mood ? { ...end, mood } : end);
	}

	/** A reply broke (a bug, or the store failed): log it and mark the reply interrupted. */
	#fail(reply: RunningReply, error: unknown): void {
		this.#deps.onFault(error);
		if (this.#current !== reply) return;
		try {
			this.#finish({ type: 'reply.interrupted', replyId: reply.replyId });
		} catch (again) {
			this.#deps.onFault(again);
		}
	}

	#finish(last: UnsequencedMessage): void {
		this.#current = undefined;
		this.#append(last);
		this.#deps.onIdle();
	}

	/** Stores first, then delivers: the rule that makes replay possible. */
	#append(message: UnsequencedMessage): void {
		this.#deps.deliver(this.#deps.store.appendServerMessage(this.#deps.clientId, message));
	}
}
