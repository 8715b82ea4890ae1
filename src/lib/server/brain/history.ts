/**
 * The OpenAI brain's conversation history per client id: the last turns (user and assistant
 * messages) sent back to the model with each question. In memory for one instance; in Redis
 * (../store/redis-history) when several instances share the client ids.
 */
import type { ChatTurn } from './openai-request';

export interface ConversationHistory {
	/** The kept turns of `clientId`, oldest first (empty when unknown). */
	load(clientId: string): Promise<ChatTurn[]>;
	/** Adds turns, keeping the last `max`. */
	append(clientId: string, turns: ChatTurn[], max: number): Promise<void>;
}

/** Client ids whose history is kept in memory; the least recently active are dropped first. */
const MAX_CLIENTS = 1000;

/** History in this process (one instance). */
export class MemoryHistory implements ConversationHistory {
	readonly #byClientId = new Map<string, ChatTurn[]>();

	async load(clientId: string): Promise<ChatTurn[]> {
		return [...(this.#touch(clientId) ?? [])];
	}

	async append(clientId: string, turns: ChatTurn[], max: number): Promise<void> {
		const history = this.#touch(clientId) ?? [];
		history.push(...turns);
		history.splice(0, Math.max(0, history.length - max));
		this.#byClientId.set(clientId, history);
		if (this.#byClientId.size > MAX_CLIENTS)
			this.#byClientId.delete(this.#byClientId.keys().next().value as string);
	}

	/** Re-inserting keeps the Map in least-recently-used order. */
	#touch(clientId: string): ChatTurn[] | undefined {
		const history = this.#byClientId.get(clientId);
		if (history) {
			this.#byClientId.delete(clientId);
			this.#byClientId.set(clientId, history);
		}
		return history;
	}
}
