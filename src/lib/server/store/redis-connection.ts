/**
 * One connection to Redis (the official `redis` package, node-redis) as the store uses it:
 * commands fail fast instead of queueing while Redis is away (so a chat is refused with
 * `unavailable`, not held), a command slower than the timeout fails the same way, scripts go by
 * SHA-1 (EVALSHA) with the source sent again when Redis does not know it, and the client
 * reconnects by itself, so service resumes without a restart when Redis is back.
 */
import { createClient, ErrorReply, type RedisClientType } from 'redis';
import type { LuaScript } from './redis-scripts';
import { StoreUnavailableError } from './unavailable';

export interface RedisConnectionOptions {
	url: string;
	/** A command slower than this fails with StoreUnavailableError (REDIS_TIMEOUT_MS). */
	timeoutMs: number;
	/** Told once per change of reachability (logs). */
	onStatus?: (problem: string | undefined) => void;
}

/** How often a ready connection checks that Redis still answers in time. */
const PROBE_INTERVAL_MS = 1_000;

/** Errors Redis answers that mean "not now" rather than "wrong": the store is unavailable. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|OOM|READONLY|NOREPLICAS)/;

export class RedisConnection {
	readonly client: RedisClientType;
	readonly #options: RedisConnectionOptions;
	#problem: string | undefined = 'connecting';
	#closed = false;
	#nextReady: Promise<void> | undefined;
	readonly #probe: ReturnType<typeof setInterval>;

	constructor(options: RedisConnectionOptions) {
		this.#options = options;
		this.client = createClient({
			url: options.url,
			disableOfflineQueue: true,
			socket: {
				connectTimeout: options.timeoutMs,
				// Keep trying, at most every 2 s: Redis may come back at any time.
				reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000)
			}
		}) as RedisClientType;
		this.client.on('error', (error: Error) => this.#setProblem(`redis: ${error.message}`));
		this.client.on('ready', () => this.#setProblem(undefined));
		this.client.on('end', () => this.#setProblem('redis: connection closed'));
		this.client.connect().catch((error: Error) => this.#setProblem(`redis: ${error.message}`));
		// A Redis that is up but too slow is found by this PING, before a chat has to be refused.
		this.#probe = setInterval(() => {
			if (this.client.isReady) void this.run((client) => client.ping()).catch(() => undefined);
		}, PROBE_INTERVAL_MS);
		this.#probe.unref();
	}

	/** A separate connection to the same Redis (pub/sub needs its own). */
	duplicate(overrides: { disableOfflineQueue?: boolean } = {}): RedisClientType {
		return this.client.duplicate(overrides) as RedisClientType;
	}

	/** Why Redis cannot be used now, or undefined when it can. */
	get problem(): string | undefined {
		if (!this.client.isReady) return this.#problem ?? 'redis: not connected';
		return this.#problem;
	}

	/** Runs commands; a connection failure or timeout rejects with StoreUnavailableError. */
	async run<T>(command: (client: RedisClientType) => Promise<T>): Promise<T> {
		if (this.#closed) throw new StoreUnavailableError('the store is closed');
		let timer: ReturnType<typeof setTimeout> | undefined;
		// node-redis times out only commands not yet written; a Redis that hangs never answers.
		const late = new Promise<never>((_resolve, reject) => {
			timer = setTimeout(
				() => reject(new Error(`no answer within ${this.#options.timeoutMs} ms`)),
				this.#options.timeoutMs
			);
		});
		try {
			// Connecting (at start, or reconnecting): wait for it within the same time limit.
			if (!this.client.isReady) await Promise.race([this.#ready(), late]);
			const result = await Promise.race([command(this.client), late]);
			if (this.#problem) this.#setProblem(undefined);
			return result;
		} catch (error) {
			throw this.#translate(error);
		} finally {
			clearTimeout(timer);
		}
	}

	/** Resolves when the client is (or next becomes) ready. */
	#ready(): Promise<void> {
		if (this.client.isReady) return Promise.resolve();
		// One listener for all the commands waiting, however many there are.
		this.#nextReady ??= new Promise((resolve) =>
			this.client.once('ready', () => {
				this.#nextReady = undefined;
				resolve();
			})
		);
		return this.#nextReady;
	}

	/** Runs a Lua script by SHA-1, sending its source when Redis does not have it yet. */
	script(script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
		const options = { keys, arguments: args };
		return this.run(async (client) => {
			try {
				return await client.evalSha(script.sha1, options);
			} catch (error) {
				if (!(error instanceof ErrorReply) || !error.message.startsWith('NOSCRIPT')) throw error;
				return client.eval(script.source, options);
			}
		});
	}

	/** Every key matching `pattern` (SCAN, in pages). */
	scan(pattern: string): Promise<string[]> {
		return this.run(async (client) => {
			const keys: string[] = [];
			for await (const page of client.scanIterator({ MATCH: pattern, COUNT: 500 }))
				keys.push(...page);
			return keys;
		});
	}

	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		clearInterval(this.#probe);
		if (this.client.isOpen) await this.client.close().catch(() => this.client.destroy());
	}

	#translate(error: unknown): unknown {
		if (error instanceof ErrorReply && !TRANSIENT_REPLY.test(error.message)) return error;
		const message = error instanceof Error ? error.message : String(error);
		this.#setProblem(`redis: ${message}`);
		return new StoreUnavailableError(`Redis is unavailable: ${message}`, { cause: error });
	}

	#setProblem(problem: string | undefined): void {
		if (problem === this.#problem) return;
		this.#problem = problem;
		this.#options.onStatus?.(problem);
	}
}
