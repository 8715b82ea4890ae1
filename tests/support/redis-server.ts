/**
 * Redis suites: `describeWithRedis` runs them where `redis-server` is installed, skips them with
 * one line saying how to install it where it is not, and fails them under `CI=true`. The server
 * itself: support/redis-server.ts (shared with the benchmarks).
 */
import { describe } from 'vitest';
import { REDIS_INSTALL_HINT, redisAvailable } from '../../support/redis-server';

export { redisAvailable, startRedisServer, type TestRedis } from '../../support/redis-server';

let warned = false;

export function describeWithRedis(name: string, body: () => void): void {
	if (redisAvailable() || process.env.CI === 'true') {
		describe(name, body);
		return;
	}
	if (!warned) {
		warned = true;
		console.warn(`Redis suites skipped: ${REDIS_INSTALL_HINT}`);
	}
	describe.skip(name, body);
}
