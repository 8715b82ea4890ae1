/**
 * The MessageStore on Redis (REDIS_URL): several Talkline instances share it. What is kept per
 * client id, and under which keys: ./redis-keys. Every write is one Lua script in the client id's
 * slot (./redis-scripts), so seq assignment, "store the id, then ack" and claiming a chat's
 * answer are atomic across instances. Each stored message is also published on the client id's
 * feed channel, in the same script, for the instance that holds the client's socket
 * (./redis-fanout).
 *
 * A command that fails because Redis is unreachable or slower than REDIS_TIMEOUT_MS rejects with
 * StoreUnavailableError (the client is told `unavailable` and sends again later).
 */
import type { SequencedMessage, UnsequencedMessage } from '../../protocol/server-messages';
import type { ImageInput } from '../../protocol/client-messages';
import type * as store from './message-store';
import { newEpoch } from './epoch';
import { clientIdOf, clientKeys, clientPattern, leaseKey, type ClientKeys } from './redis-keys';
import { ACCEPT, ACK, APPEND, ARRIVE, PENDING, SWEEP, type LuaScript } from './redis-scripts';
import type { RedisConnection } from './redis-connection';
import {
	acceptedRetainMs,
	MAX_ACCEPTED_IDS_PER_CLIENT,
	resolveRetention,
	UNACKED_CEILING_FACTOR
} from './retention';
import { StoreUnavailableError } from './unavailable';

export interface RedisStoreOptions {
	/** Prefix of every key (REDIS_PREFIX). */
	prefix: string;
	/** This instance: its open replies are marked with it, and its lease says it is alive. */
	instanceId: string;
	retention?: Partial<store.RetentionOptions>;
	/** Runs before the connection closes (the instance gives up its lease). */
	beforeClose?: (redis: RedisConnection) => Promise<void>;
}

type AppendMode = 'append' | 'start' | 'ifopen';

export class RedisStore implements store.MessageStore {
	readonly #redis: RedisConnection;
	readonly #prefix: string;
	readonly #instanceId: string;
	readonly #retention: store.RetentionOptions;
	readonly #beforeClose: RedisStoreOptions['beforeClose'];
	#closed = false;

	constructor(redis: RedisConnection, options: RedisStoreOptions) {
		this.#redis = redis;
		this.#prefix = options.prefix;
		this.#instanceId = options.instanceId;
		this.#retention = resolveRetention(options.retention);
		this.#beforeClose = options.beforeClose;
	}

	async identity(clientId: string): Promise<store.ClientIdentity | undefined> {
		const [epoch, token] = await this.#redis.run((c) =>
			c.hmGet(this.#keys(clientId).meta, ['epoch', 'token'])
		);
		return epoch ? { epoch, tokenHash: token || null } : undefined;
	}

	async arrive(batch: readonly store.ArrivalRequest[]): Promise<store.ArrivalRecord[]> {
		// One script per id (each id's keys are in a slot of their own), sent together.
		return Promise.all(
			batch.map(async ({ clientId, tokenHash }) => {
				const [claimed, epoch, token, last, created] = (await this.#script(
					ARRIVE,
					[this.#keys(clientId).meta],
					[tokenHash, newEpoch()]
				)) as [number, string, string, string, number];
				const identity = { epoch, tokenHash: token || null };
				return { claimed: claimed === 1, identity, lastSeq: Number(last), created: created === 1 };
			})
		);
	}

	async acceptClientMessage(clientId: string, input: store.AcceptedInput): Promise<boolean> {
		const k = this.#keys(clientId);
		const at = this.#retention.now();
		const payload = input.kind === 'chat' ? input.text : JSON.stringify({ at, image: input.image });
		const isNew = await this.#script(
			ACCEPT,
			[k.meta, k.ids, k.pending, k.chats, k.image],
			[input.id, input.kind, String(at), payload, String(MAX_ACCEPTED_IDS_PER_CLIENT)]
		);
		return isNew === 1;
	}

	/**
	 * One script per message, sent together (pipelined) and run in order. Not one transaction:
	 * client ids live in different slots. A message stored before a failure is acked when it is
	 * sent again (and answered then, since the server hands a resent chat to its conversation).
	 */
	async acceptClientMessages(batch: readonly store.AcceptRequest[]): Promise<boolean[]> {
		return Promise.all(
			batch.map(({ clientId, input }) => this.acceptClientMessage(clientId, input))
		);
	}

	async appendServerMessage(
		clientId: string,
		message: UnsequencedMessage
	): Promise<SequencedMessage> {
		const result = await this.#append(clientId, message, 'append');
		if (!result.stored) throw new Error(`append refused: ${result.reason}`);
		return result.stored;
	}

	async startReply(clientId: string, message: store.UnsequencedStart): Promise<store.StartOutcome> {
		const result = await this.#append(clientId, message, 'start');
		if (result.stored) return { started: result.stored };
		return { refused: result.reason === 'busy' ? 'busy' : 'answered' };
	}

	async replay(
		clientId: string,
		afterSeq: number,
		limit = Number.POSITIVE_INFINITY
	): Promise<SequencedMessage[]> {
		const count = Number.isFinite(limit) ? { COUNT: limit } : undefined;
		const entries = await this.#redis.run((c) =>
			c.xRange(this.#keys(clientId).log, `${afterSeq + 1}-0`, '+', count)
		);
		return (entries ?? []).map((entry) => JSON.parse(String(entry.message.m)) as SequencedMessage);
	}

	async acknowledge(clientId: string, seq: number): Promise<void> {
		const k = this.#keys(clientId);
		await this.#script(ACK, [k.meta, k.log], [String(seq), ...this.#trimArgs()]);
	}

	async ackedSeq(clientId: string): Promise<number> {
		return Number((await this.#redis.run((c) => c.hGet(this.#keys(clientId).meta, 'acked'))) ?? 0);
	}

	async lastSeq(clientId: string): Promise<number> {
		return Number((await this.#redis.run((c) => c.hGet(this.#keys(clientId).meta, 'last'))) ?? 0);
	}

	async pendingChats(clientId: string): Promise<store.PendingChat[]> {
		const k = this.#keys(clientId);
		const flat = (await this.#script(PENDING, [k.pending, k.chats], [])) as string[];
		const pending: store.PendingChat[] = [];
		for (let i = 0; i < flat.length; i += 2)
			pending.push({ id: flat[i] as string, text: flat[i + 1] as string });
		return pending;
	}

	async latestImage(clientId: string): Promise<ImageInput | undefined> {
		const json = await this.#redis.run((c) => c.get(this.#keys(clientId).image));
		if (!json) return undefined;
		const { at, image } = JSON.parse(json) as { at: number; image: ImageInput };
		return at >= this.#retention.now() - this.#retention.retainMs ? image : undefined;
	}

	/**
	 * Closes the replies left open by this instance (none run when it starts) or by an instance
	 * whose lease has expired (it died), for every client id.
	 */
	async recover(streaming?: (replyId: string) => boolean): Promise<store.RecoveryReport> {
		const report: store.RecoveryReport = { recovered: [], failed: [] };
		for (const clientId of await this.#clientIds('open')) {
			try {
				const { closed } = await this.recoverClient(clientId, true, streaming);
				report.recovered.push(...closed);
			} catch (error) {
				report.failed.push({ clientId, error });
			}
		}
		return report;
	}

	/**
	 * Closes (with `reply.interrupted`, once: only while still open) the replies of `clientId`
	 * whose instance's lease has expired, and this instance's own with `own` but for those
	 * `streaming` names (still running here). Returns what it closed and whether replies of live instances are still open (check again later).
	 */
	async recoverClient(
		clientId: string,
		own = false,
		streaming: (replyId: string) => boolean = () => false
	): Promise<{ closed: store.RecoveredReply[]; othersOpen: boolean }> {
		const open = await this.#redis.run((c) => c.hGetAll(this.#keys(clientId).open));
		const closed: store.RecoveredReply[] = [];
		let othersOpen = false;
		for (const [replyId, owner] of Object.entries(open)) {
			const instance = owner.slice(owner.lastIndexOf('\n') + 1);
			const mine = instance === this.#instanceId;
			if (mine && (!own || streaming(replyId))) continue;
			if (!mine && (await this.instanceAlive(instance))) {
				othersOpen = true;
				continue;
			}
			const result = await this.#append(clientId, { type: 'reply.interrupted', replyId }, 'ifopen');
			if (result.stored) closed.push({ clientId, replyId, seq: result.stored.seq });
		}
		return { closed, othersOpen };
	}

	/** Whether the instance's lease is alive. */
	async instanceAlive(instanceId: string): Promise<boolean> {
		return (await this.#redis.run((c) => c.exists(leaseKey(this.#prefix, instanceId)))) === 1;
	}

	async sweep(): Promise<void> {
		const now = this.#retention.now();
		const messageCutoff = String(now - this.#retention.retainMs);
		const inputCutoff = String(now - acceptedRetainMs(this.#retention.retainMs));
		for (const clientId of await this.#clientIds('meta')) {
			const k = this.#keys(clientId);
			await this.#script(
				SWEEP,
				[k.log, k.ids, k.pending, k.chats, k.started, k.image],
				[messageCutoff, inputCutoff]
			);
		}
	}

	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		await this.#beforeClose?.(this.#redis).catch(() => undefined);
		await this.#redis.close();
	}

	#keys(clientId: string): ClientKeys {
		return clientKeys(this.#prefix, clientId);
	}

	#trimArgs(): string[] {
		return [String(this.#retention.retainMessages), String(UNACKED_CEILING_FACTOR)];
	}

	async #append(
		clientId: string,
		message: UnsequencedMessage,
		mode: AppendMode
	): Promise<
		{ stored: SequencedMessage; reason?: undefined } | { stored?: undefined; reason: string }
	> {
		const k = this.#keys(clientId);
		const replyId = message.replyId;
		const inReplyTo = message.type === 'reply.start' ? message.inReplyTo : '';
		const [seq, stored] = (await this.#script(
			APPEND,
			[k.meta, k.log, k.ids, k.pending, k.chats, k.started, k.open],
			[
				JSON.stringify(message),
				String(this.#retention.now()),
				message.type,
				replyId,
				inReplyTo,
				newEpoch(),
				...this.#trimArgs(),
				k.feed,
				this.#instanceId,
				mode
			]
		)) as [number, string];
		if (seq === 0) return { reason: stored };
		return { stored: { ...message, seq } as SequencedMessage };
	}

	#script(script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
		return this.#redis.script(script, keys, args);
	}

	/** Every client id with a key of this kind (SCAN; a single Redis, or each cluster node's). */
	async #clientIds(kind: 'open' | 'meta'): Promise<string[]> {
		const keys = await this.#redis.scan(clientPattern(this.#prefix, kind));
		const ids = keys.map((key) => clientIdOf(this.#prefix, key));
		return ids.filter((id): id is string => id !== undefined);
	}
}

export { StoreUnavailableError };
