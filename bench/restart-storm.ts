/**
 * Restart storm: N clients running the real connection machine; the server is killed with
 * SIGKILL and started again at once. Reports how long until 50/95/100% of the clients are `open`
 * again and the peak rate of reconnects, once with the default jitter and once with jitter 0.
 */
import { startBenchServer, type BenchServer } from './bench-server';
import { startFleet, type Fleet } from './fleet';
import type { Progress } from './machine-worker';
import type { BenchOptions } from './options';
import { concat } from './stats';
import { fmt, type Table } from './table';
import { sleep } from './wait';

const BUCKET_MS = 100;
const CONCURRENCY_PER_WORKER = 100;
const JITTERS = [0.25, 0] as const;

interface StormRun {
	jitter: number;
	clients: number;
	/** Seconds from the kill until the restarted server answered /healthz. */
	serverBackS: number;
	/** Seconds from the kill until 50/95/100% were open again (NaN: not reached). */
	t50: number;
	t95: number;
	t100: number;
	/** Reconnects in the busiest 100 ms bucket, times 10, and in the busiest 1 s window. */
	peakPerSecond: number;
	peakInOneSecond: number;
	missing: number;
	failed: number;
	/** Clients open again in each second after the kill. */
	perSecond: number[];
}

export async function runStorm(options: BenchOptions, log: (line: string) => void): Promise<Table> {
	const server = await startBenchServer();
	const fleet = await startFleet('machine-worker.ts', options.clients);
	const runs: StormRun[] = [];
	try {
		for (const jitter of JITTERS) runs.push(await storm(server, fleet, jitter, options, log));
	} finally {
		await fleet.close();
		await server.process.kill();
	}
	const [on, off] = runs as [StormRun, StormRun];
	const both = (pick: (run: StormRun) => string) => `${pick(on)} / ${pick(off)}`;
	const s = (value: number) => fmt(value, 's', 2);
	return {
		title: `Restart storm: ${fmt(options.clients)} connection machines, server kill -9 and restart`,
		rows: [
			{ figure: 'server answering /healthz again after', value: both((r) => s(r.serverBackS)) },
			{ figure: 'time to 50% open again', value: both((r) => s(r.t50)) },
			{ figure: 'time to 95% open again', value: both((r) => s(r.t95)), target: '≤ 10 s' },
			{ figure: 'time to 100% open again', value: both((r) => s(r.t100)) },
			{
				figure: 'time to 95%, counted from /healthz answering',
				value: both((r) => s(r.t95 - r.serverBackS))
			},
			{
				figure: 'not back within the wait / failed',
				value: both((r) => `${fmt(r.missing)}, ${fmt(r.failed)}`)
			},
			{
				figure: 'peak reconnects/s (busiest 100 ms × 10)',
				value: both((r) => fmt(r.peakPerSecond, '/s'))
			},
			{ figure: 'reconnects in the busiest 1 s', value: both((r) => fmt(r.peakInOneSecond)) },
			{
				figure: 'jittered peak / unjittered peak',
				value: fmt(on.peakPerSecond / off.peakPerSecond, '', 2),
				target: '≤ 0.33'
			}
		],
		notes: [
			`Values read "jitter ${JITTERS[0]} / jitter ${JITTERS[1]}", one run after the other against the same server; other settings are the machine's defaults (first reconnect after 1 s, then 2, 4, 8 s, …).`,
			`Clients: ${fleet.workers.length} worker processes, each running its share of actors of machines/connection.ts with a \`ws\` socket factory bound to its own 127.0.0.x address; all open before the kill.`,
			'Time zero is the SIGKILL; the server is started again at once (tsx start-up included). "Open again" is the first entry into the machine\'s `open` state after the kill, stamped with Date.now() in the worker (one clock for all processes).',
			`Reconnect rate: those open events counted in ${BUCKET_MS} ms buckets on the client side; the busiest bucket times 10, and the busiest run of 10 consecutive buckets.`,
			...runs.map(
				(run) =>
					`Open again per second after the kill, jitter ${run.jitter}: ${run.perSecond.join(', ')}.`
			)
		]
	};
}

async function storm(
	server: BenchServer,
	fleet: Fleet,
	jitter: number,
	options: BenchOptions,
	log: (line: string) => void
): Promise<StormRun> {
	log(`storm (jitter ${jitter}): connecting ${fmt(options.clients)} machines`);
	const started = await fleet.all<Progress>('start', (w) => ({
		baseUrl: server.process.wsUrl(''),
		localAddress: w.localAddress,
		first: w.first,
		count: w.count,
		jitter,
		concurrency: CONCURRENCY_PER_WORKER,
		timeoutMs: 120_000
	}));
	const open = started.reduce((sum, p) => sum + p.states.open, 0);
	log(`storm (jitter ${jitter}): ${fmt(open)} open; kill -9 and restart`);
	await sleep(1_000);
	await fleet.all('mark');
	const killedAt = Date.now();
	await server.process.kill();
	await server.process.restart();
	const serverBackS = (Date.now() - killedAt) / 1000;
	const deadline = killedAt + options.stormTimeoutMs;
	while (Date.now() < deadline) {
		const progress = await fleet.all<Progress>('progress');
		if (progress.reduce((sum, p) => sum + p.reopened, 0) >= open) break;
		await sleep(250);
	}
	const results = await fleet.all<Progress & { reopenedAt: Float64Array }>('collect');
	await fleet.all('stopAll');
	const times = concat(results.map((r) => r.reopenedAt))
		.filter((t) => !Number.isNaN(t))
		.map((t) => (t - killedAt) / 1000)
		.sort();
	return {
		jitter,
		clients: open,
		serverBackS,
		...reachedAt(times, open),
		...peaks(times),
		missing: open - times.length,
		perSecond: perSecond(times),
		failed: results.reduce((sum, r) => sum + r.states.failed, 0)
	};
}

/** Seconds until 50/95/100% of `total` were back (NaN when never reached). */
function reachedAt(
	sorted: Float64Array,
	total: number
): { t50: number; t95: number; t100: number } {
	const at = (share: number) => {
		const needed = Math.ceil(share * total);
		return needed <= sorted.length ? (sorted[needed - 1] as number) : Number.NaN;
	};
	return { t50: at(0.5), t95: at(0.95), t100: at(1) };
}

function perSecond(seconds: Float64Array): number[] {
	const counts: number[] = [];
	for (const t of seconds) {
		const second = Math.floor(t);
		while (counts.length <= second) counts.push(0);
		counts[second] = (counts[second] ?? 0) + 1;
	}
	return counts;
}

function peaks(seconds: Float64Array): { peakPerSecond: number; peakInOneSecond: number } {
	const buckets = new Map<number, number>();
	for (const t of seconds) {
		const bucket = Math.floor((t * 1000) / BUCKET_MS);
		buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
	}
	let peak = 0;
	let window = 0;
	for (const [bucket, n] of buckets) {
		peak = Math.max(peak, n);
		let sum = 0;
		for (let k = 0; k < 1000 / BUCKET_MS; k += 1) sum += buckets.get(bucket + k) ?? 0;
		window = Math.max(window, sum);
	}
	return { peakPerSecond: peak * (1000 / BUCKET_MS), peakInOneSecond: window };
}
