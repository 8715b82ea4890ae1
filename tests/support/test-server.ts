/**
 * An in-process Talkline server for server tests: real HTTP and `ws` on an ephemeral loopback
 * port, fast timings, and its log lines captured for assertions.
 */
import { Writable } from 'node:stream';
import type { ServerConfig } from '../../src/lib/server/config';
import {
	createTalklineServer,
	type TalklineServer,
	type TalklineServerOptions
} from '../../src/lib/server/http-server';
import { createLogger } from '../../src/lib/server/log';

/**
 * Timings for tests: quiet JSON pings, brisk streaming; messages in memory (a test that wants
 * the file passes its own SqliteStore). Each test overrides what it checks.
 */
export const TEST_CONFIG: Partial<ServerConfig> = {
	store: 'memory',
	pingIntervalMs: 60_000,
	wsPingIntervalMs: 60_000,
	wsPingTimeoutMs: 120_000,
	brainChunkDelayMs: 1,
	shutdownGraceMs: 1_000
};

export interface LogRecord {
	level: number;
	event?: string;
	[key: string]: unknown;
}

export interface TestServer {
	server: TalklineServer;
	port: number;
	/** http://127.0.0.1:port */
	url: string;
	/** ws://127.0.0.1:port/ws/<clientId> */
	wsUrl(clientId: string): string;
	/** Every log line so far, parsed. */
	logs: LogRecord[];
	/** GET /healthz, parsed. */
	health(): Promise<{ ok: boolean; connections: number; clients: number }>;
	close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 and a free port. */
export async function startTestServer(
	config: Partial<ServerConfig> = {},
	options: Omit<TalklineServerOptions, 'config' | 'logger'> = {}
): Promise<TestServer> {
	const logs: LogRecord[] = [];
	const sink = new Writable({
		write(chunk: Buffer, _encoding, done) {
			for (const line of chunk.toString().split('\n'))
				if (line.trim()) logs.push(JSON.parse(line) as LogRecord);
			done();
		}
	});
	const server = createTalklineServer({
		...options,
		config: { ...TEST_CONFIG, ...config },
		logger: createLogger('debug', sink)
	});
	const { port } = await server.listen(0, '127.0.0.1');
	const url = `http://127.0.0.1:${port}`;
	return {
		server,
		port,
		url,
		logs,
		wsUrl: (clientId) => `ws://127.0.0.1:${port}/ws/${clientId}`,
		health: async () =>
			(await (await fetch(`${url}/healthz`)).json()) as {
				ok: boolean;
				connections: number;
				clients: number;
			},
		close: () => server.close()
	};
}
