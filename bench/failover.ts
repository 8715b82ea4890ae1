/**
 * Failover: N clients spread over two Talkline instances that share one Redis, behind round-robin
 * proxies (the load balancer); one instance is killed (-9). Reports how long until 95% and 100%
 * of its clients are open again on the other instance, and whether any acked chat was lost:
 * every client sends chats before the kill (a first round answered in full, a second one only
 * acked, so some answers are cut off by the kill), and afterwards checks, in the log its current
 * connection replays, that every acked chat has its answer, once.
 */
import { startRedisServer } from '../support/redis-server';
import { startBenchServer, type BenchServer } from './bench-server';
import { startFleet } from './fleet';
import type { ChatRound, FailoverProgress, Tally, Verdict } from './failover-worker';
import type { BenchOptions } from './options';
import { concat } from './stats';
import { fmt, type Table } from './table';
import { sleep } from './wait';

const CONCURRENCY_PER_WORKER = 100;
/** Short answers, quickly streamed: the benchmark is about connections, not the brain. */
const CHUNK_DELAY_MS = 20;
/** Longest wait for the chats of a round, and for the answers after the failover. */
const CHAT_TIMEOUT_MS = 120_000;
const VERIFY_TIMEOUT_MS = 60_000;

export async function runFailover(
	options: BenchOptions,
	log: (line: string) => void
): Promise<Table> {
	const { clients } = options;
	const redis = await startRedisServer();
	const servers: BenchServer[] = [];
	const proxies = await startFleet('proxy-worker.ts', clients);
	const fleet = await startFleet('failover-worker.ts', clients);
	/** `error` frames the clients got since the last call, by code. */
	const errorsSoFar = async () => {
		const counts = new Map<string, number>();
		for (const byCode of await fleet.all<Record<string, number>>('errors'))
			for (const [code, n] of Object.entries(byCode)) counts.set(code, (counts.get(code) ?? 0) + n);
		return `errors: ${[...counts].map(([code, n]) => `${code} ${fmt(n)}`).join(', ') || 'none'}`;
	};
	try {
		const env = {
			REDIS_URL: redis.url,
			BRAIN_CHUNK_DELAY_MS: String(CHUNK_DELAY_MS),
			// One secret for both: a token given by one instance is checked by the other.
			TALKLINE_SECRET: 'failover-bench-secret-0123456789abcdef'
		};
		for (let i = 0; i < 2; i += 1) servers.push(await startBenchServer(env));
		const targets = servers.map((server) => ({ host: '127.0.0.1', port: server.process.port }));
		const ports = await proxies.all<number>('listen', () => ({ targets }));

		log(`failover: connecting ${fmt(clients)} clients through ${ports.length} proxies`);
		const started = await fleet.all<FailoverProgress>('start', (w) => ({
			baseUrl: `ws://127.0.0.1:${ports[w.index]}/ws/`,
			localAddress: w.localAddress,
			first: w.first,
			count: w.count,
			concurrency: CONCURRENCY_PER_WORKER,
			timeoutMs: 120_000
		}));
		const open = started.reduce((sum, p) => sum + p.open, 0);
		log(`failover: ${fmt(open)} open; round a: a chat each, answered`);
		const answered = await fleet.all<ChatRound>('chat', () => ({
			round: 'a',
			perClient: 1,
			waitForReplies: true,
			timeoutMs: CHAT_TIMEOUT_MS
		}));
		log(`failover: round a ${JSON.stringify(answered)} ${await errorsSoFar()}`);
		log('failover: round b: another chat each, acked');
		const ackedOnly = await fleet.all<ChatRound>('chat', () => ({
			round: 'b',
			perClient: 1,
			waitForReplies: false,
			timeoutMs: CHAT_TIMEOUT_MS
		}));
		const [victim, survivor] = servers as [BenchServer, BenchServer];
		const onVictim = await victim.connections();
		const onSurvivor = await survivor.connections();
		log(`failover: round b ${JSON.stringify(ackedOnly)} ${await errorsSoFar()}`);
		log(`failover: ${fmt(onVictim)} / ${fmt(onSurvivor)} sockets; kill -9 the first instance`);
		await fleet.all('mark');
		const killedAt = Date.now();
		await victim.process.kill();
		const deadline = killedAt + options.stormTimeoutMs;
		let progress: FailoverProgress[] = [];
		while (Date.now() < deadline) {
			progress = await fleet.all<FailoverProgress>('progress');
			const dropped = progress.reduce((sum, p) => sum + p.dropped, 0);
			const back = progress.reduce((sum, p) => sum + p.reopened, 0);
			if (dropped >= onVictim && back >= dropped) break;
			await sleep(250);
		}
		const times = concat(await fleet.all<Float64Array>('reopenedAt'))
			.filter((t) => !Number.isNaN(t))
			.map((t) => (t - killedAt) / 1000)
			.sort();
		const dropped = progress.reduce((sum, p) => sum + p.dropped, 0);
		log(`failover: ${fmt(times.length)} of ${fmt(dropped)} back; checking every acked chat`);
		const verdicts = await fleet.all<Verdict>('verify', () => ({ timeoutMs: VERIFY_TIMEOUT_MS }));
		log(`failover: checked; ${await errorsSoFar()}`);
		/** A tally summed over the workers, for round `a` (answered before the kill) or `b`. */
		const sum = (round: string, pick: (tally: Tally) => number) =>
			verdicts.reduce((n, v) => n + (v.rounds[round] ? pick(v.rounds[round]) : 0), 0);
		const byRound = (pick: (tally: Tally) => number) =>
			`${fmt(sum('a', pick))} / ${fmt(sum('b', pick))}`;
		const rounds = (list: ChatRound[], pick: (r: ChatRound) => number) =>
			list.reduce((n, r) => n + pick(r), 0);
		const at = (share: number) => {
			const needed = Math.ceil(share * onVictim);
			return needed <= times.length ? (times[needed - 1] as number) : Number.NaN;
		};
		const s = (value: number) => fmt(value, 's', 2);
		const survivorAfter = await survivor.connections();
		await fleet.all('stopAll');
		return {
			title: `Failover: ${fmt(clients)} clients on two instances sharing one Redis, one killed (-9)`,
			rows: [
				{ figure: 'open within the connect wait (120 s)', value: fmt(open) },
				{
					figure: 'sockets at the kill: killed instance / other',
					value: `${fmt(onVictim)} / ${fmt(onSurvivor)}`
				},
				{
					figure: "time to 95% of the killed instance's clients open again",
					value: s(at(0.95)),
					target: '≤ 10 s'
				},
				{ figure: 'time to 100% open again', value: s(at(1)), target: '≤ 30 s' },
				{
					figure: 'dropped by the kill / open again within the wait',
					value: `${fmt(dropped)} / ${fmt(times.length)}`
				},
				{ figure: 'sockets on the surviving instance afterwards', value: fmt(survivorAfter) },
				{
					figure: 'chats acked before the kill (answered first / acked only)',
					value: `${fmt(rounds(answered, (r) => r.acked))} / ${fmt(rounds(ackedOnly, (r) => r.acked))} of ${fmt(rounds(answered, (r) => r.sent) + rounds(ackedOnly, (r) => r.sent))}`
				},
				{
					figure: 'acked chats with no answer in the log (lost), answered / acked only',
					value: byRound((t) => t.lost),
					target: '0'
				},
				{ figure: 'acked chats answered twice', value: byRound((t) => t.twice), target: '0' },
				{
					figure: 'answers ended twice (reply.end and reply.interrupted)',
					value: byRound((t) => t.endedTwice),
					target: '0'
				},
				{ figure: 'answers completed', value: byRound((t) => t.completed) },
				{ figure: 'answers marked interrupted', value: byRound((t) => t.interrupted) },
				{ figure: 'answers started, never ended', value: byRound((t) => t.unfinished) },
				{
					figure: 'clients that had to connect again to see an answer end',
					value: fmt(verdicts.reduce((n, v) => n + v.reconnected, 0))
				},
				{
					figure: 'clients not open at the check',
					value: fmt(verdicts.reduce((n, v) => n + v.notOpen, 0))
				}
			],
			notes: [
				`Two instances of scripts/serve.ts with REDIS_URL on one local redis-server (persistence off), each with the read-only probe; MAX_CONNECTIONS_PER_IP=0. In front of them ${fmt(ports.length)} round-robin TCP proxies (support/fault-proxy.ts with several targets, one per worker process, as a load balancer: a new connection goes to the next instance, one that refuses is skipped). Clients: ${fmt(fleet.workers.length)} worker processes of connection machines (machines/connection.ts, the page's backoff, jitter 0.25), each resuming with its token and lastSeq 0 after every \`connected\`, so each connection replays the whole log.`,
				`Before the kill every client sends one chat and waits for its answer (local brain, ${CHUNK_DELAY_MS} ms between chunks), then a second chat, and the kill follows as soon as all second chats are acked: some of their answers are still streaming on the killed instance. Chats are paced: each worker keeps at most 50 in flight (sent and not yet acked, or not yet answered in the first round), and one refused with its id (\`unavailable\`, \`busy\`) is sent again 1 s later, as the page's outbox would; all at once, 10,000 chats made every Redis call of the store wait past REDIS_TIMEOUT_MS (2 s) and all of them were refused \`unavailable\`.`,
				'Time zero is the SIGKILL. "Open again" is the machine\'s next entry into `open` after it dropped, stamped with Date.now() in the worker; 95% and 100% are of the killed instance\'s sockets counted by its /healthz just before.',
				`The check: after the failover each client waits (up to ${VERIFY_TIMEOUT_MS / 1000} s) until every chat the server acked has a \`reply.start\` with that \`inReplyTo\` and that reply ended (\`reply.end\` or \`reply.interrupted\`) on its current connection. A client still missing an end then connects again (a fresh replay of its whole log, up to 15 s more): "had to connect again" counts those, so an end that was stored but not sent live shows there. The tallies are of the final replay, per round: "lost" counts acked chats with no answer at all, "answered twice" those with two reply ids, "ended twice" answers with two ends.`,
				'Server errors are logged to stderr with the progress (by code); a chat not acked in its round (the "of" figure) is left out of the check, as the page would send it again.'
			]
		};
	} finally {
		await fleet.close();
		await proxies.close();
		for (const server of servers) await server.process.kill();
		await redis.stop();
	}
}
