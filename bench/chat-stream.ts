/**
 * Chat streaming: many concurrent streamed replies over many idle connections. Reports how late
 * the reply chunks arrive, the time to the first chunk and to the `ack`, and the server's load.
 */
import { startBenchServer } from './bench-server';
import { startFleet } from './fleet';
import type { ChatResult, ConnectResult } from './idle-worker';
import type { BenchOptions } from './options';
import { concat, summarize, type Summary } from './stats';
import { fmt, type Table } from './table';
import { sleep } from './wait';

/** The local brain's pause between chunks; set explicitly so the benchmark knows it. */
const CHUNK_DELAY_MS = 120;
/** A question the local brain answers at length (its "about me": about 14 chunks). */
const QUESTION = 'Who are you?';
const CONCURRENCY_PER_WORKER = 100;

export async function runChat(options: BenchOptions, log: (line: string) => void): Promise<Table> {
	const { clients, chats } = options;
	const server = await startBenchServer({ BRAIN_CHUNK_DELAY_MS: String(CHUNK_DELAY_MS) });
	const fleet = await startFleet('idle-worker.ts', clients);
	try {
		log(`chat: connecting ${fmt(clients)} clients`);
		const connected = await fleet.all<ConnectResult>('connect', (w) => ({
			baseUrl: server.process.wsUrl(''),
			localAddress: w.localAddress,
			first: w.first,
			count: w.count,
			concurrency: CONCURRENCY_PER_WORKER
		}));
		const failed = connected.reduce((sum, r) => sum + r.failed, 0);
		await sleep(2_000);
		log(`chat: ${fmt(chats)} concurrent replies over ${fmt(clients - failed)} connections`);
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
		const loop = await server.metrics();

		const gaps = concat(results.map((r) => r.deltaGapMs));
		const late = summarize(gaps.map((gap) => gap - CHUNK_DELAY_MS));
		const gap = summarize(gaps);
		const first = summarize(concat(results.map((r) => r.firstDeltaMs)));
		const ack = summarize(concat(results.map((r) => r.ackMs)));
		const total = (pick: (r: ChatResult) => number) => results.reduce((n, r) => n + pick(r), 0);
		const ms = (summary: Summary) => `${fmt(summary.p50, 'ms', 1)} / ${fmt(summary.p99, 'ms', 1)}`;
		return {
			title: `Chat streaming: ${fmt(chats)} concurrent replies over ${fmt(clients)} connections`,
			rows: [
				{
					figure: 'connections (failed handshakes)',
					value: `${fmt(clients - failed)} (${fmt(failed)})`
				},
				{
					figure: 'replies completed / interrupted / unfinished',
					value: `${fmt(total((r) => r.completed))} / ${fmt(total((r) => r.interrupted))} / ${fmt(total((r) => r.unfinished))}`
				},
				{ figure: 'reply chunks timed', value: fmt(gap.count) },
				{
					figure: 'chunk latency p50 / p99 (gap - 120 ms)',
					value: ms(late),
					target: 'p99 ≤ 50 ms'
				},
				{ figure: 'chunk latency max', value: fmt(late.max, 'ms', 1) },
				{ figure: 'gap between chunks p50 / p99', value: ms(gap) },
				{ figure: 'chat sent -> first chunk p50 / p99', value: ms(first) },
				{ figure: 'chat sent -> ack p50 / p99', value: ms(ack) },
				{
					figure: 'server event-loop delay p99 / max',
					value: `${fmt(loop.loopDelay.p99, 'ms', 1)} / ${fmt(loop.loopDelay.max, 'ms', 1)}`
				},
				{ figure: 'server CPU while streaming', value: fmt(cpu * 100, '% of one core', 0) },
				{ figure: 'streaming took', value: fmt(seconds, 's', 1) }
			],
			notes: [
				`All ${fmt(chats)} chats ("${QUESTION}") are sent at the same moment from the first clients of each worker; the other connections stay idle (pings every 10 s). The local brain streams about 14 chunks per reply, ${CHUNK_DELAY_MS} ms apart (BRAIN_CHUNK_DELAY_MS).`,
				`Chunk latency: deltas carry no send time, so each chunk is timed on the client against the one before it: (gap between two consecutive \`reply.delta\`s of a reply) - ${CHUNK_DELAY_MS} ms. That is the delay the server, the network and the client added to that chunk beyond the brain's pause (server timer lateness, sending, receiving); a constant delay common to all chunks of a reply does not show here, which is what the first-chunk time is for.`,
				"First chunk and ack: from sending the chat to receiving the first `reply.delta` / the `ack`, both on the client's clock (performance.now), so they are real end-to-end times."
			]
		};
	} finally {
		await fleet.close();
		await server.process.kill();
	}
}

/** How many of the `chats` fall in the worker's clients `first .. first + count - 1`. */
function share(chats: number, clients: number, first: number, count: number): number {
	// Spread over the workers in proportion to their clients.
	const upTo = (index: number) => Math.floor((index * chats) / clients);
	return upTo(first + count) - upTo(first);
}
