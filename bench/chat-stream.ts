/**
 * Chat streaming: many concurrent streamed replies over many idle connections. Reports how late
 * the reply chunks arrive, the time to the first chunk and to the `ack`, and the server's load;
 * once with the default store (SQLite) and once with the in-memory store, to tell the store's
 * share from the rest.
 */
import { redisAvailable, startRedisServer, type TestRedis } from '../support/redis-server';
import { startBenchServer } from './bench-server';
import { startFleet } from './fleet';
import type { ChatResult, ConnectResult } from './idle-worker';
import type { BenchOptions } from './options';
import { concat, summarize, type Summary } from './stats';
import { fmt, type Table } from './table';
import { sleep } from './wait';

/** The local brain's pause between chunks; set explicitly so the benchmark knows it. */
const CHUNK_DELAY_MS = 120;
/** A question the local brain answers at length (its "about me"). */
const QUESTION = 'Who are you?';
const CONCURRENCY_PER_WORKER = 100;
const STORES = ['sqlite', 'redis', 'memory'] as const;
type Store = (typeof STORES)[number];

interface ChatRun {
	connected: number;
	results: ChatResult[];
	seconds: number;
	cpu: number;
	loopP99: number;
	loopMax: number;
}

export async function runChat(options: BenchOptions, log: (line: string) => void): Promise<Table> {
	const runs: (ChatRun | undefined)[] = [];
	for (const store of STORES) {
		if (store === 'redis' && !redisAvailable()) {
			log('chat (redis): skipped, redis-server not found (apt-get install redis-server)');
			runs.push(undefined);
		} else runs.push(await chatRun(store, options, log));
	}
	const [sqlite] = runs as [ChatRun];
	/** One column per store: `value` the first, `more` the others. */
	const perStore = (pick: (run: ChatRun) => string) => {
		const [value, ...more] = runs.map((run) => (run ? pick(run) : 'n/a (no redis-server)'));
		return { value: value as string, more };
	};
	const total = (run: ChatRun, pick: (r: ChatResult) => number) =>
		run.results.reduce((n, r) => n + pick(r), 0);
	const samples = (run: ChatRun, pick: (r: ChatResult) => number[]) =>
		concat(run.results.map(pick));
	const gaps = (run: ChatRun) => samples(run, (r) => r.deltaGapMs);
	const late = (run: ChatRun) => summarize(gaps(run).map((gap) => gap - CHUNK_DELAY_MS));
	const ms = (value: number) => fmt(value, 'ms', 1);
	const p50p99 = (summary: Summary) => `${ms(summary.p50)}, ${ms(summary.p99)}`;
	const chunksPerReply =
		gaps(sqlite).length /
			Math.max(
				1,
				total(sqlite, (r) => r.completed)
			) +
		1;
	return {
		title: `Chat streaming: ${fmt(options.chats)} concurrent replies over ${fmt(options.clients)} connections`,
		columns: ['SQLite', 'Redis', 'memory'],
		rows: [
			{ figure: 'connections', ...perStore((run) => fmt(run.connected)) },
			{
				figure: 'replies completed, interrupted, unfinished',
				...perStore(
					(run) =>
						`${fmt(total(run, (r) => r.completed))}, ${fmt(total(run, (r) => r.interrupted))}, ` +
						fmt(total(run, (r) => r.unfinished))
				)
			},
			{ figure: 'chunk gaps timed', ...perStore((run) => fmt(gaps(run).length)) },
			{ figure: 'chunk latency p50', ...perStore((run) => ms(late(run).p50)) },
			{ figure: 'chunk latency p99', ...perStore((run) => ms(late(run).p99)), target: '≤ 50 ms' },
			{ figure: 'chunk latency max', ...perStore((run) => ms(late(run).max)) },
			{
				figure: 'chat sent -> first chunk p50, p99',
				...perStore((run) => p50p99(summarize(samples(run, (r) => r.firstDeltaMs))))
			},
			{
				figure: 'chat sent -> ack p50, p99',
				...perStore((run) => p50p99(summarize(samples(run, (r) => r.ackMs))))
			},
			{
				figure: 'server event-loop delay p99, max',
				...perStore((run) => `${ms(run.loopP99)}, ${ms(run.loopMax)}`)
			},
			{
				figure: 'server CPU while streaming',
				...perStore((run) => fmt(run.cpu * 100, '%', 0))
			},
			{ figure: 'streaming took', ...perStore((run) => fmt(run.seconds, 's', 1)) }
		],
		notes: [
			`Columns: STORE=sqlite (the default: WAL, synchronous=NORMAL, FULL for the one commit behind the acks of each event-loop turn; one transaction per streamed piece); REDIS_URL (the Redis store, on a local redis-server of its own with persistence off, so the figures are the client and its round trips, not a disk); STORE=memory. A fresh server and fresh clients for each. CPU in % of one core, of the Talkline process only (redis-server's own CPU is not in it).`,
			`All chats ("${QUESTION}") are sent at the same moment from the first clients of each worker; the other connections stay idle (pings every 10 s). The local brain streams its answer in ${fmt(chunksPerReply)} chunks, ${CHUNK_DELAY_MS} ms apart (BRAIN_CHUNK_DELAY_MS).`,
			`Chunk latency: deltas carry no send time, so each chunk is timed on the client against the one before it: (gap between two consecutive \`reply.delta\`s of a reply) - ${CHUNK_DELAY_MS} ms. That is the delay the server, the network and the client added to that chunk beyond the brain's pause (storing it, timer lateness, sending, receiving); a delay common to all chunks of a reply does not show in it, which is what the first-chunk time is for.`,
			"First chunk and ack: from sending the chat to receiving the first `reply.delta` / the `ack`, both on the client's clock (performance.now), so they are end-to-end times."
		]
	};
}

async function chatRun(
	store: Store,
	options: BenchOptions,
	log: (line: string) => void
): Promise<ChatRun> {
	const { clients, chats } = options;
	const redis: TestRedis | undefined = store === 'redis' ? await startRedisServer() : undefined;
	const server = await startBenchServer({
		BRAIN_CHUNK_DELAY_MS: String(CHUNK_DELAY_MS),
		...(redis ? { REDIS_URL: redis.url } : { STORE: store })
	});
	const fleet = await startFleet('idle-worker.ts', clients);
	try {
		log(`chat (${store}): connecting ${fmt(clients)} clients`);
		const connected = await fleet.all<ConnectResult>('connect', (w) => ({
			baseUrl: server.process.wsUrl(''),
			localAddress: w.localAddress,
			first: w.first,
			count: w.count,
			concurrency: CONCURRENCY_PER_WORKER
		}));
		await sleep(2_000);
		log(`chat (${store}): ${fmt(chats)} concurrent replies`);
		await server.resetLoopStats();
		const cpuFrom = server.proc().cpuSeconds;
		const from = Date.now();
		const results = await fleet.all<ChatResult>('chat', (w) => ({
			count: share(chats, clients, w.first, w.count),
			text: QUESTION,
			timeoutMs: 60_000
		}));
		const seconds = (Date.now() - from) / 1000;
		const cpu = (server.proc().cpuSeconds - cpuFrom) / seconds;
		const { loopDelay } = await server.metrics();
		return {
			connected: clients - connected.reduce((sum, r) => sum + r.failed, 0),
			results,
			seconds,
			cpu,
			loopP99: loopDelay.p99,
			loopMax: loopDelay.max
		};
	} finally {
		await fleet.close();
		await server.process.kill();
		await redis?.stop();
	}
}

/** How many of the `chats` fall in the worker's clients `first .. first + count - 1`. */
function share(chats: number, clients: number, first: number, count: number): number {
	// Spread over the workers in proportion to their clients.
	const upTo = (index: number) => Math.floor((index * chats) / clients);
	return upTo(first + count) - upTo(first);
}
