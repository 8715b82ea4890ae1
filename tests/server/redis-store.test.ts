/**
 * RedisStore against a real redis-server (started here on a free port): the same contract as the
 * SQLite and memory stores, and what only a shared store has to do (two instances, dead leases,
 * Redis going away and coming back).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RetentionOptions } from '../../src/lib/server/store/message-store';
import { RedisConnection } from '../../src/lib/server/store/redis-connection';
import { leaseKey } from '../../src/lib/server/store/redis-keys';
import { RedisStore } from '../../src/lib/server/store/redis-store';
import { StoreUnavailableError } from '../../src/lib/server/store/unavailable';
import { describeWithRedis, startRedisServer, type TestRedis } from '../support/redis-server';
import { removeTempDirs } from '../support/temp-dir';
import { describeMessageStore } from './message-store-contract';

let redis: TestRedis | undefined;
const connections: RedisConnection[] = [];

/** A store on the test's Redis; each gets its own key prefix, so tests never see each other. */
function redisStore(
	retention?: Partial<RetentionOptions>,
	prefix = `t${randomUUID().slice(0, 8)}:`,
	instanceId = randomUUID()
): RedisStore {
	if (!redis) throw new Error('redis-server is not running');
	const connection = new RedisConnection({ url: redis.url, timeoutMs: 2_000 });
	connections.push(connection);
	return new RedisStore(connection, { prefix, instanceId, retention });
}

/** Waits until a fresh connection is ready (the first commands would fail fast otherwise). */
async function ready(store: RedisStore): Promise<RedisStore> {
	for (let i = 0; i < 100; i++) {
		try {
			await store.lastSeq('ready-probe');
			return store;
		} catch {
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	}
	throw new Error('Redis connection not ready');
}

describeWithRedis('RedisStore', () => {
	beforeAll(async () => {
		redis = await startRedisServer();
	});
	afterAll(async () => {
		await Promise.all(connections.map((connection) => connection.close()));
		await redis?.stop();
		removeTempDirs();
	});

	describeMessageStore('RedisStore', (retention) => readyLater(redisStore(retention)));

	describe('shared by two instances', () => {
		it('gives one seq once when two instances append for the same client at the same time', async () => {
			const prefix = `t${randomUUID().slice(0, 8)}:`;
			const a = await ready(redisStore({}, prefix));
			const b = await ready(redisStore({}, prefix));
			const appends = Array.from({ length: 50 }, (_v, i) =>
				(i % 2 ? a : b).appendServerMessage('shared', {
					type: 'reply.delta',
					replyId: 'r',
					text: String(i)
				})
			);
			const seqs = (await Promise.all(appends)).map((m) => m.seq).sort((x, y) => x - y);
			expect(seqs).toEqual(Array.from({ length: 50 }, (_v, i) => i + 1));
			expect((await a.replay('shared', 0)).map((m) => m.seq)).toEqual(seqs);
		});

		it('lets one instance claim a pending chat: the other is refused while the reply is open, then finds it answered', async () => {
			const prefix = `t${randomUUID().slice(0, 8)}:`;
			const a = await ready(redisStore({}, prefix));
			const b = await ready(redisStore({}, prefix));
			await a.acceptClientMessage('c', { kind: 'chat', id: 'q', text: 'hi' });
			await a.acceptClientMessage('c', { kind: 'chat', id: 'q2', text: 'and?' });
			const start = (replyId: string, inReplyTo = 'q') => ({
				type: 'reply.start' as const,
				replyId,
				inReplyTo
			});
			expect((await a.startReply('c', start('ra'))).started?.seq).toBe(1);
			expect(await b.startReply('c', start('rb'))).toEqual({ refused: 'answered' });
			// Another chat of the client waits while the other instance's reply is open.
			expect(await b.startReply('c', start('rb2', 'q2'))).toEqual({ refused: 'busy' });
			await a.appendServerMessage('c', { type: 'reply.end', replyId: 'ra', text: 'hello' });
			expect((await b.startReply('c', start('rb3', 'q2'))).started?.seq).toBe(3);
		});

		it("closes a dead instance's open reply once, and leaves a live instance's alone", async () => {
			const prefix = `t${randomUUID().slice(0, 8)}:`;
			const deadId = randomUUID();
			const dead = await ready(redisStore({}, prefix, deadId));
			const alive = await ready(redisStore({}, prefix));
			const aliveId = randomUUID();
			const other = await ready(redisStore({}, prefix, aliveId));
			await dead.acceptClientMessage('c', { kind: 'chat', id: 'q', text: 'hi' });
			await dead.startReply('c', { type: 'reply.start', replyId: 'r', inReplyTo: 'q' });
			await other.acceptClientMessage('d', { kind: 'chat', id: 'q', text: 'hi' });
			await other.startReply('d', { type: 'reply.start', replyId: 'r', inReplyTo: 'q' });
			// The live instance holds a lease; the dead one's has expired (it has none).
			const lease = leaseKey(prefix, aliveId);
			await (await rawConnection()).run((c) => c.set(lease, '1', { PX: 60_000 }));

			const [first, second] = await Promise.all([
				alive.recoverClient('c'),
				alive.recoverClient('c')
			]);
			const closed = [...first.closed, ...second.closed];
			expect(closed).toEqual([{ clientId: 'c', replyId: 'r', seq: 2 }]);
			expect(await alive.pendingChats('c')).toEqual([]);
			expect(await alive.recoverClient('d')).toEqual({ closed: [], othersOpen: true });
		});
	});

	describe('when Redis goes away', () => {
		it('fails with StoreUnavailableError, and works again once Redis is back, without a new store', async () => {
			const store = await ready(redisStore());
			await store.acceptClientMessage('c', { kind: 'chat', id: 'before', text: 'kept?' });
			await redis?.stop();
			await expect(
				store.acceptClientMessage('c', { kind: 'chat', id: 'during', text: 'lost?' })
			).rejects.toBeInstanceOf(StoreUnavailableError);
			await redis?.start();
			await ready(store);
			expect(await store.acceptClientMessage('c', { kind: 'chat', id: 'during', text: 'x' })).toBe(
				true
			);
		});
	});
});

/** A connection to the test's Redis for raw commands, once it is ready. */
async function rawConnection(): Promise<RedisConnection> {
	if (!redis) throw new Error('redis-server is not running');
	const connection = new RedisConnection({ url: redis.url, timeoutMs: 2_000 });
	connections.push(connection);
	for (let i = 0; i < 100 && connection.problem; i++)
		await new Promise((resolve) => setTimeout(resolve, 20));
	return connection;
}

/**
 * The contract's factory is synchronous; the store's connection becomes ready in the background.
 * Each call of the returned store first waits for that.
 */
function readyLater(store: RedisStore): RedisStore {
	const waiting = ready(store);
	return new Proxy(store, {
		get(target, key, receiver) {
			const value = Reflect.get(target, key, receiver) as unknown;
			if (typeof value !== 'function') return value;
			return async (...args: unknown[]) => {
				await waiting;
				return (value as (...a: unknown[]) => unknown).apply(target, args);
			};
		}
	});
}
