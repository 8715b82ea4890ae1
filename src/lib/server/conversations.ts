/**
 * The conversations by client id. A conversation lives while its client is connected or a reply
 * of it is still streaming or waiting (into the store, for replay); then it is forgotten.
 */
import type { Brain, ConnectionFacts } from './brain/types';
import { Conversation } from './conversation';
import type { Logger } from './log';
import type { Registry } from './registry';
import type { Session } from './session';
import type { MessageStore } from './store/message-store';

export interface ConversationsDeps {
	store: MessageStore;
	brain: Brain;
	registry: Registry<Session>;
	facts: (clientId: string) => ConnectionFacts;
	log: Logger;
}

export class Conversations {
	readonly #deps: ConversationsDeps;
	readonly #byClientId = new Map<string, Conversation>();
	/** Shutting down: a conversation made now answers nothing (its chats stay pending). */
	#stopped = false;

	constructor(deps: ConversationsDeps) {
		this.#deps = deps;
	}

	/**
	 * The client id's conversation, made on first use. A new one answers, in order, the chats the
	 * store holds as accepted but unanswered (accepted before a restart).
	 */
	of(clientId: string): Conversation {
		let conversation = this.#byClientId.get(clientId);
		if (!conversation) {
			conversation = this.#create(clientId);
			this.#byClientId.set(clientId, conversation);
			if (this.#stopped) void conversation.stop();
			void conversation.resumePending();
		}
		return conversation;
	}

	/**
	 * On a connection: answers the chats the store holds as accepted but unanswered (accepted
	 * before a restart), if there are any. A client with none gets no conversation until it speaks,
	 * so an idle connection costs no conversation.
	 */
	async resumePending(clientId: string): Promise<void> {
		const existing = this.#byClientId.get(clientId);
		if (existing) return existing.resumePending();
		const pending = await this.#deps.store.pendingChats(clientId);
		if (pending.length > 0) this.of(clientId);
	}

	/**
	 * A reply of this client id ended (seen in the store's feed, maybe from another instance): a
	 * conversation waiting for it goes on.
	 */
	replyEnded(clientId: string): void {
		this.#byClientId.get(clientId)?.retry();
	}

	/** Whether a conversation of this process runs this reply (so that recovery leaves it). */
	runs(replyId: string): boolean {
		for (const conversation of this.#byClientId.values()) {
			if (conversation.runs(replyId)) return true;
		}
		return false;
	}

	/** Forgets the conversation if its client has no connection and no reply runs or waits. */
	release(clientId: string): void {
		const conversation = this.#byClientId.get(clientId);
		if (conversation && !conversation.busy && !this.#deps.registry.get(clientId)) {
			this.#byClientId.delete(clientId);
		}
	}

	/**
	 * Interrupts every reply in progress (shutdown) and waits for them to wind down. Chats that
	 * arrive afterwards, while the sockets close, are stored and left for the next owner.
	 */
	async stopAll(): Promise<void> {
		this.#stopped = true;
		await Promise.all([...this.#byClientId.values()].map((conversation) => conversation.stop()));
	}

	#create(clientId: string): Conversation {
		const { store, brain, registry, facts, log } = this.#deps;
		return new Conversation({
			clientId,
			store,
			brain,
			deliver: (message) => registry.get(clientId)?.deliver(message),
			sendError: (code, message, id) =>
				registry.get(clientId)?.send({ type: 'error', code, message, id }),
			facts: () => facts(clientId),
			onFault: (error) => log.error({ event: 'reply.fault', clientId, err: error }, 'reply failed'),
			onIdle: () => this.release(clientId)
		});
	}
}
