/**
 * Talkline on Redis (REDIS_URL): the store, the fan-out between instances, and this instance's
 * lease, which it renews every third of REDIS_LEASE_MS; when it stops being renewed (the
 * instance died), other instances take over its open replies and unanswered chats.
 */
import { randomUUID } from 'node:crypto';
import type { ServerConfig } from '../config';
import type { Logger } from '../log';
import type { RetentionOptions } from './message-store';
import type { StoreBackend } from './open-store';
import { RedisConnection } from './redis-connection';
import { RedisFanout } from './redis-fanout';
import { RedisHistory } from './redis-history';
import { leaseKey } from './redis-keys';
import { RedisStore } from './redis-store';

export function openRedisBackend(
	config: ServerConfig,
	retention: Partial<RetentionOptions>,
	log: Logger
): StoreBackend {
	const instanceId = randomUUID();
	const connection = new RedisConnection({
		url: config.redisUrl,
		timeoutMs: config.redisTimeoutMs,
		onStatus: (problem) =>
			problem
				? log.error({ event: 'redis.unavailable', problem }, 'Redis cannot be used')
				: log.info({ event: 'redis.ready', instanceId }, 'Redis connected')
	});
	const prefix = config.redisPrefix;
	const lease = leaseKey(prefix, instanceId);
	const renew = () =>
		connection.run((c) => c.set(lease, String(Date.now()), { PX: config.redisLeaseMs }));
	void renew().catch(() => undefined);
	const renewer = setInterval(
		() => void renew().catch(() => undefined),
		Math.max(100, Math.floor(config.redisLeaseMs / 3))
	);
	renewer.unref();
	const store = new RedisStore(connection, {
		prefix,
		instanceId,
		retention,
		// A clean stop: others need not wait for the lease to expire.
		beforeClose: async (redis) => {
			clearInterval(renewer);
			await redis.run((c) => c.del(lease));
		}
	});
	const fanout = new RedisFanout({
		connection,
		store,
		prefix,
		recheckMs: config.redisLeaseMs,
		log
	});
	const history = new RedisHistory(
		connection,
		prefix,
		retention.retainMs ?? config.retainHours * 3_600_000
	);
	return { store, fanout, history, unavailable: () => connection.problem };
}
