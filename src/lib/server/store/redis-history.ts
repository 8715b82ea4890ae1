/**
 * The OpenAI brain's history in Redis: a LIST of JSON turns per client id (in its hash tag, next
 * to its log), trimmed to the last turns and dropped with the messages' age limit, so that any
 * instance answering the client sends the model the same conversation.
 */
import type { ConversationHistory } from '../brain/history';
import type { ChatTurn } from '../brain/openai-request';
import type { RedisConnection } from './redis-connection';
import { clientKeys } from './redis-keys';

export class RedisHistory implements ConversationHistory {
	readonly #redis: RedisConnection;
	readonly #prefix: string;
	readonly #retainMs: number;

	constructor(redis: RedisConnection, prefix: string, retainMs: number) {
		this.#redis = redis;
		this.#prefix = prefix;
		this.#retainMs = retainMs;
	}

	async load(clientId: string): Promise<ChatTurn[]> {
		const items = await this.#redis.run((c) =>
			c.lRange(clientKeys(this.#prefix, clientId).history, 0, -1)
		);
		return items.map((item) => JSON.parse(item) as ChatTurn);
	}

	async append(clientId: string, turns: ChatTurn[], max: number): Promise<void> {
		const key = clientKeys(this.#prefix, clientId).history;
		await this.#redis.run((c) =>
			c
				.multi()
				.rPush(
					key,
					turns.map((turn) => JSON.stringify(turn))
				)
				.lTrim(key, -max, -1)
				.pExpire(key, this.#retainMs)
				.exec()
		);
	}
}
