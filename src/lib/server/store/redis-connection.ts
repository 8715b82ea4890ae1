/**
 * One connection to Redis (the official `redis` package, node-redis) as the store uses it:
 * commands fail fast instead of queueing while Redis is away (so a chat is refused with
 * `unavailable`, not held), a command slower than the timeout fails the same way, scripts go by
 * SHA-1 (EVALSHA) with the source sent again when Redis does not know it, and the client
 * reconnects by itself, so service resumes without a restart when Redis is back.
 *
 * node-redis is loaded on first use, not when the server's code is: it was a third of the
 * start-up of a server that does not use Redis (about 200 of 600 ms), and every client waits for
 * that start-up after a restart.
 */
import type { ErrorReply, RedisClientType } from 'redis';
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

type NodeRedis = typeof import('redis');
let nodeRedis: Promise<NodeRedis> | undefined;
const loadNodeRedis = (): Promise<NodeRedis> => (nodeRedis ??= import('redis'));

export class RedisConnection {
	readonly #options: RedisConnectionOptions;
	/** The command connection, once node-redis is loaded. */
	#client: RedisClientType | undefined;
	readonly #loaded: Promise<RedisClientType>;
	/** node-redis's class for errors that Redis answered (as opposed to a lost connection). */
	#errorReply: typeof ErrorReply | undefined;
	#problem: string | undefined = 'connecting';
	#closed = false;
	#nextReady: Promise<void> | undefined;
	readonly #probe: ReturnType<typeof setInterval>;

	constructor(options: RedisConnectionOptions) {
		this.#options = options;
		this.#loaded = loadNodeRedis().then((redis) => this.#connect(redis));
		this.#loaded.catch((error: Error) => this.#setProblem(`redis: ${error.message}`));
		// A Redis that is up but too slow is found by this PING, before a chat has to be refused.
		this.#probe = setInterval(() => {
			if (this.#client?.isReady) void this.run((client) => client.ping()).catch(() => undefined);
		}, PROBE_INTERVAL_MS);
		this.#probe.unref();
	}

	/** A separate connection to the same Redis (pub/sub needs its own), not connected yet. */
	async duplicate(overrides: { disableOfflineQueue?: boolean } = {}): Promise<RedisClientType> {
		return (await this.#loaded).duplicate(overrides) as RedisClientType;
	}

	/** Why Redis cannot be used now, or undefined when it can. */
	get problem(): string | undefined {
		if (!this.#client?.isReady) return this.#problem ?? 'redis: not connected';
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
			// Starting, connecting or reconnecting: wait for it within the same time limit.
			const client = this.#client ?? (await Promise.race([this.#loaded, late]));
			if (!client.isReady) await Promise.race([this.#ready(client), late]);
			const result = await Promise.race([command(client), late]);
			if (this.#problem) this.#setProblem(undefined);
			return result;
		} catch (error) {
			throw this.#translate(error);
		} finally {
			clearTimeout(timer);
		}
	}

	#connect({ createClient, ErrorReply }: NodeRedis): RedisClientType {
		const options = this.#options;
		const client = createClient({
			url: options.url,
			disableOfflineQueue: true,
			socket: {
				connectTimeout: options.timeoutMs,
				// Keep trying, at most every 2 s: Redis may come back at any time.
				reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000)
			}
		}) as RedisClientType;
		this.#client = client;
		this.#errorReply = ErrorReply;
		client.on('error', (error: Error) => this.#setProblem(`redis: ${error.message}`));
		client.on('ready', () => this.#setProblem(undefined));
		client.on('end', () => this.#setProblem('redis: connection closed'));
		if (!this.#closed)
			client.connect().catch((error: Error) => this.#setProblem(`redis: ${error.message}`));
		return client;
	}

	/** Resolves when the client is (or next becomes) ready. */
	#ready(client: RedisClientType): Promise<void> {
		if (client.isReady) return Promise.resolve();
		// One listener for all the commands waiting, however many there are.
		this.#nextReady ??= new Promise((resolve) =>
			client.once('ready', () => {
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
				if (!this.#isReply(error) || !error.message.startsWith('NOSCRIPT')) throw error;
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
		const client = this.#client;
		if (client?.isOpen) await client.close().catch(() => client.destroy());
	}

	#isReply(error: unknown): error is ErrorReply {
		return this.#errorReply !== undefined && error instanceof this.#errorReply;
	}

	#translate(error: unknown): unknown {
		if (this.#isReply(error) && !TRANSIENT_REPLY.test(error.message)) return error;
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
