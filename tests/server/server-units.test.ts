import { describe, expect, it } from 'vitest';
import { configFromEnv, DEFAULT_CONFIG } from '../../src/lib/server/config';
import { isHostAllowed, isOriginAllowed } from '../../src/lib/server/origin';
import { RateLimiter } from '../../src/lib/server/rate-limiter';
import { Registry } from '../../src/lib/server/registry';
import { clientIdFromUrl, isSocketPath } from '../../src/lib/server/upgrade';

describe('configFromEnv', () => {
	it('has the defaults of the spec with an empty environment', () => {
		expect(configFromEnv({})).toMatchObject({
			port: 8000,
			pingIntervalMs: 10_000,
			wsPingIntervalMs: 20_000,
			wsPingTimeoutMs: 60_000,
			keepAliveTimeoutMs: 30_000,
			maxPayloadBytes: 256 * 1024,
			maxBufferedBytes: 1024 * 1024,
			brain: 'local',
			dataDir: './data',
			store: 'sqlite',
			retainMessages: 1000,
			retainHours: 168,
			allowLocalhostOrigins: true,
			maxConnections: 18_000,
			maxConnectionsPerIp: 200,
			maxPendingChats: 20,
			rateLimitPerSec: 20,
			rateLimitBurst: 120
		});
		expect(configFromEnv({}).headersTimeoutMs).toBeLessThanOrEqual(10_000);
	});

	it('reads the store settings; one default store, the durable one', () => {
		expect(
			configFromEnv({ STORE: 'memory', RETAIN_MESSAGES: '50', RETAIN_HOURS: '1.5' })
		).toMatchObject({ store: 'memory', retainMessages: 50, retainHours: 1.5 });
		expect(DEFAULT_CONFIG.store).toBe('sqlite');
		expect(configFromEnv({}).store).toBe(DEFAULT_CONFIG.store);
		expect(() => configFromEnv({ STORE: 'postgres' })).toThrow(
			/STORE must be sqlite, memory or redis/
		);
		expect(configFromEnv({ REDIS_URL: 'redis://127.0.0.1:6379' })).toMatchObject({
			store: 'redis',
			redisUrl: 'redis://127.0.0.1:6379',
			redisPrefix: 'talkline:'
		});
		expect(() => configFromEnv({ STORE: 'redis' })).toThrow(/STORE=redis needs REDIS_URL/);
		expect(() => configFromEnv({ STORE: 'sqlite', REDIS_URL: 'redis://h' })).toThrow(/REDIS_URL/);
		expect(() => configFromEnv({ RETAIN_MESSAGES: '0' })).toThrow(/RETAIN_MESSAGES/);
		expect(() => configFromEnv({ RETAIN_HOURS: '0' })).toThrow(/RETAIN_HOURS/);
	});

	it('reads every variable, seconds for the uvicorn-style ones', () => {
		const config = configFromEnv({
			PORT: '9000',
			HOST: '127.0.0.1',
			ALLOWED_ORIGINS: 'https://a.example, https://b.example',
			ORIGIN: 'https://talk.example',
			ALLOWED_HOSTS: 'talk.example',
			MAX_CONNECTIONS: '100',
			MAX_CONNECTIONS_PER_IP: '7',
			HEADERS_TIMEOUT_MS: '2000',
			REQUEST_TIMEOUT_MS: '3000',
			MAX_PENDING_CHATS: '5',
			PING_INTERVAL_MS: '5000',
			WS_PING_INTERVAL: '2.5',
			WS_PING_TIMEOUT: '7',
			KEEP_ALIVE_TIMEOUT: '45',
			RATE_LIMIT_PER_SEC: '2',
			RATE_LIMIT_BURST: '4',
			LLM_BASE_URL: 'http://localhost:11434/v1',
			LLM_MODEL: 'llama3.2',
			LLM_VISION: 'false',
			DATA_DIR: '/var/talkline',
			NODE_ENV: 'production'
		});
		expect(config).toMatchObject({
			port: 9000,
			host: '127.0.0.1',
			allowedOrigins: ['https://a.example', 'https://b.example', 'https://talk.example'],
			allowedHosts: ['talk.example'],
			maxConnections: 100,
			maxConnectionsPerIp: 7,
			headersTimeoutMs: 2000,
			requestTimeoutMs: 3000,
			maxPendingChats: 5,
			pingIntervalMs: 5000,
			wsPingIntervalMs: 2500,
			wsPingTimeoutMs: 7000,
			keepAliveTimeoutMs: 45_000,
			rateLimitPerSec: 2,
			rateLimitBurst: 4,
			brain: 'openai',
			llmModel: 'llama3.2',
			llmVision: false,
			dataDir: '/var/talkline',
			allowLocalhostOrigins: false
		});
	});

	it('refuses nonsense rather than running with it', () => {
		expect(() => configFromEnv({ PORT: 'eighty' })).toThrow(/PORT must be a number/);
		expect(() => configFromEnv({ WS_PING_INTERVAL: '-1' })).toThrow(/WS_PING_INTERVAL/);
		expect(() => configFromEnv({ BRAIN: 'psychic' })).toThrow(/BRAIN/);
	});

	it('keeps BRAIN=local even when an endpoint is configured', () => {
		expect(configFromEnv({ BRAIN: 'local', LLM_BASE_URL: 'http://x' }).brain).toBe('local');
		expect(DEFAULT_CONFIG.brain).toBe('local');
	});
});

describe('isOriginAllowed', () => {
	const strict = { allowedOrigins: [], allowLocalhostOrigins: false };
	const dev = { allowedOrigins: [], allowLocalhostOrigins: true };
	it.each([
		[undefined, 'talk.example', strict, true],
		// Issue 11, reproduction 5: the Host never vouches for an origin (DNS rebinding).
		['https://talk.example', 'talk.example', strict, false],
		['http://evil.example:8000', 'evil.example:8000', strict, false],
		['http://evil.example:8000', 'evil.example:8000', dev, false],
		['https://evil.example', 'talk.example', strict, false],
		['null', 'talk.example', strict, false],
		['file://', 'talk.example', strict, false],
		['http://localhost:5173', 'talk.example', strict, false],
		['http://localhost:5173', 'talk.example', dev, true],
		['http://127.0.0.1:8000', 'talk.example', dev, true],
		// In development, an IP-literal origin equal to the Host (a LAN address): no name to rebind.
		['http://192.168.1.20:5173', '192.168.1.20:5173', dev, true],
		['http://[fd00::1]:5173', '[fd00::1]:5173', dev, true],
		['http://192.168.1.20:5173', '192.168.1.20:5173', strict, false],
		['http://192.168.1.20:5173', '192.168.1.21:5173', dev, false],
		[
			'https://app.example',
			'talk.example',
			{ allowedOrigins: ['https://app.example/'], allowLocalhostOrigins: false },
			true
		],
		[
			'https://app.example:444',
			'talk.example',
			{ allowedOrigins: ['https://app.example'], allowLocalhostOrigins: false },
			false
		],
		[
			'https://anything.example',
			'talk.example',
			{ allowedOrigins: ['*'], allowLocalhostOrigins: false },
			true
		]
	])('origin %s on host %s -> %s', (origin, host, policy, allowed) => {
		expect(isOriginAllowed(origin, host, policy)).toBe(allowed);
	});
});

describe('isHostAllowed', () => {
	it.each([
		[undefined, [], true],
		['anything:8000', [], true],
		['talk.example', ['talk.example'], true],
		['talk.example:8000', ['talk.example'], true],
		['TALK.example:8000', ['talk.example:8000'], true],
		['talk.example:9000', ['talk.example:8000'], false],
		['evil.example:8000', ['talk.example'], false],
		[undefined, ['talk.example'], false]
	])('Host %s with ALLOWED_HOSTS %j -> %s', (host, allowedHosts, allowed) => {
		expect(isHostAllowed(host, { allowedHosts })).toBe(allowed);
	});
});

describe('upgrade path helpers', () => {
	it('takes only /ws/ paths and decodes the id', () => {
		expect(isSocketPath('/ws/abc')).toBe(true);
		expect(isSocketPath('/ws')).toBe(false);
		expect(isSocketPath('/')).toBe(false);
		expect(clientIdFromUrl('/ws/abc?x=1')).toBe('abc');
		expect(clientIdFromUrl('/ws/a%20b')).toBe('a b');
		expect(clientIdFromUrl('/ws/%E0%A4%A')).toBeNull();
	});
});

describe('RateLimiter', () => {
	it('allows a burst, then refills at the sustained rate', () => {
		let now = 0;
		const limiter = new RateLimiter(10, 3, () => now);
		expect([limiter.take(), limiter.take(), limiter.take(), limiter.take()]).toEqual([
			true,
			true,
			true,
			false
		]);
		now += 100; // one token at 10 per second
		expect([limiter.take(), limiter.take()]).toEqual([true, false]);
		now += 10_000; // never more than the burst
		expect([limiter.take(), limiter.take(), limiter.take(), limiter.take()]).toEqual([
			true,
			true,
			true,
			false
		]);
	});
});

describe('Registry', () => {
	const session = (clientId: string, sessionId: string) => {
		const closes: [number, string][] = [];
		return {
			clientId,
			sessionId,
			closes,
			close: (code: number, reason: string) => void closes.push([code, reason])
		};
	};

	it('replaces an older session of the same client id, closing it with 1000 "replaced"', () => {
		const registry = new Registry<ReturnType<typeof session>>();
		const older = session('c', '1');
		const newer = session('c', '2');
		registry.add(older);
		expect(registry.add(newer)).toBe(older);
		expect(older.closes).toEqual([[1000, 'replaced']]);
		expect(registry.get('c')).toBe(newer);
		registry.remove(older); // the older one's late close must not remove the newer
		expect(registry.get('c')).toBe(newer);
		registry.remove(newer);
		expect(registry.size).toBe(0);
	});
});
