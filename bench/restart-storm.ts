/**
 * Restart storm, as the users feel it: N clients running the real connection machine (default
 * settings, jitter 0.25); the server is restarted under them, once killed with SIGKILL and
 * started again at once, once stopped gracefully (SIGTERM: every socket closed with 1012) and
 * started again, and once reloaded under the supervisor (scripts/supervise.ts: SIGHUP, the new
 * worker listens before the old one closes its sockets with 1012). Beside them, the floor: the
 * bare `ws` server of the capacity benchmark closes every socket with 1012 at the same pace and
 * stays up, the fastest the same clients on the same machine can come back. Reports how long until
 * 50/95/100% of the clients are `open` again, the connection attempts that failed, and the
 * server's event-loop delay while they came back.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchServer, startFloorServer, type BenchServer } from './bench-server';
import { copyServerBuild, serverKind, type BuildCopy } from './browser-build';
import { startFleet, type Fleet } from './fleet';
import type { Progress } from './machine-worker';
import type { BenchOptions } from './options';
import { profileNote } from './capacity';
import type { ProbeMetrics, ProfileSummary } from './server-probe';
import { concat } from './stats';
import { fmt, type Table } from './table';
import { sleep } from './wait';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUCKET_MS = 100;
const CONCURRENCY_PER_WORKER = 100;
/** How long the restarted server's main thread is profiled, from its first /healthz answer. */
const PROFILE_MS = 8_000;

type RestartKind = 'kill' | 'graceful' | 'reload' | 'floor';
const KINDS: readonly RestartKind[] = ['kill', 'graceful', 'reload', 'floor'];
const SIGNAL_OF: Record<RestartKind, string> = {
	kill: 'kill',
	graceful: 'SIGTERM',
	reload: 'SIGHUP',
	floor: 'floor’s 1012'
};

interface StormRun {
	kind: RestartKind;
	clients: number;
	/**
	 * Seconds from the kill (or SIGTERM) until the restarted server answered /healthz; for a
	 * reload, until the new worker said it listens (/healthz answers all along).
	 */
	serverBackS: number;
	/** Seconds from the signal until the old server had closed every socket (not after a kill). */
	closedS: number;
	/** Seconds from the signal until the new server logged that it listens. */
	listeningS: number;
	/** Seconds from the kill until 50/95/100% were open again (NaN: not reached). */
	t50: number;
	t95: number;
	t100: number;
	/** Reconnects in the busiest 100 ms bucket, times 10, and in the busiest 1 s window. */
	peakPerSecond: number;
	peakInOneSecond: number;
	missing: number;
	failed: number;
	/**
	 * Connection attempts refused while nothing listened (ECONNREFUSED), and those that failed
	 * against a listening server (reset, timed out, an HTTP error, closed before `connected`).
	 */
	refused: number;
	failedHandshakes: number;
	/**
	 * Connections the kernel dropped because a listening socket's accept queue was full, from the
	 * restart until every client was back (`ListenOverflows`, for the whole machine).
	 */
	listenOverflows: number;
	/** Close codes and reasons of the failed attempts, most frequent first. */
	failedWhy: string;
	/** The server's `connection.headers_timeout` lines: all, and those that had read nothing. */
	headerTimeouts: { all: number; silent: number };
	/** The server's event-loop delay from /healthz answering until every client was back. */
	loop: ProbeMetrics['loopDelay'];
	/** Clients open again in each second after the kill. */
	perSecond: number[];
	/** Where the restarted server's main thread spent the first PROFILE_MS after /healthz. */
	profile: ProfileSummary | undefined;
}

/** The server a restart kind runs against: the floor, or the build (under the supervisor for a reload). */
function startServerFor(kind: RestartKind, build: BuildCopy | undefined): Promise<BenchServer> {
	if (kind === 'floor') return startFloorServer();
	// The same build under the supervisor, which holds the port across a reload.
	const supervisor = build ? 'build/supervisor.js' : 'scripts/supervise.ts';
	return startBenchServer(
		{},
		kind === 'reload' ? supervisor : undefined,
		build && { cwd: build.dir }
	);
}

export async function runStorm(options: BenchOptions, log: (line: string) => void): Promise<Table> {
	// The compiled server, as `npm start` runs it in production: a restart through tsx spent
	// seconds compiling TypeScript before it could accept anyone (1.5 s against 2.7 s to
	// /healthz at load 12), and every client waits for that.
	const build = copyServerBuild(root);
	const runs: StormRun[] = [];
	let server: BenchServer | undefined;
	let fleet: Fleet | undefined;
	let workers = 0;
	try {
		// Each restart from a clean start, with a server, store and client processes of its own.
		// With one fleet for all three, the kind that ran third was measured 2-3 times slower
		// than when it ran first (the reload at 10,000: 17.7 s to 95% against 7.2-9.8 s).
		for (const kind of KINDS) {
			server = await startServerFor(kind, build);
			fleet = await startFleet('machine-worker.ts', options.clients);
			workers = fleet.workers.length;
			runs.push(await storm(server, fleet, kind, options, log));
			await fleet.close();
			fleet = undefined;
			await server.process.kill();
			server = undefined;
		}
	} finally {
		await fleet?.close();
		await server?.process.kill();
		build?.remove();
	}
	const [killed, ...others] = runs as [StormRun, ...StormRun[]];
	const both = (pick: (run: StormRun) => string) => ({
		value: pick(killed),
		more: others.map(pick)
	});
	const s = (value: number) => fmt(value, 's', 2);
	const orDash = (value: number) => (Number.isNaN(value) ? '—' : s(value));
	const ms = (value: number) => fmt(value, 'ms', 1);
	return {
		title: `Restart storm: ${fmt(options.clients)} connection machines, the server restarted under them`,
		columns: [
			'kill -9, restart',
			'graceful (1012), restart',
			'reload under the supervisor (SIGHUP, 1012)',
			'floor: bare `ws`, 1012, no restart'
		],
		rows: [
			{
				figure: 'old server closed every socket / new one listening, after',
				...both((r) => `${orDash(r.closedS)} / ${orDash(r.listeningS)}`)
			},
			{ figure: 'server answering /healthz again after', ...both((r) => s(r.serverBackS)) },
			{ figure: 'time to 50% open again', ...both((r) => s(r.t50)) },
			{
				figure: 'time to 95% open again',
				...both((r) => s(r.t95)),
				target: '≤ 10 s (kill), ≤ 3 s (graceful, reload)'
			},
			{ figure: 'time to 100% open again', ...both((r) => s(r.t100)), target: '≤ 30 s (kill)' },
			{
				figure: 'time to 95%, counted from /healthz answering',
				...both((r) => s(r.t95 - r.serverBackS))
			},
			{
				figure: 'not back within the wait / given up (failed state)',
				...both((r) => `${fmt(r.missing)} / ${fmt(r.failed)}`)
			},
			{
				figure: 'failed handshakes (the server was listening)',
				...both((r) => fmt(r.failedHandshakes)),
				target: '0'
			},
			{
				figure: 'accept queue overflows (kernel ListenOverflows)',
				...both((r) => fmt(r.listenOverflows))
			},
			{
				figure: 'attempts refused while the server was down (ECONNREFUSED)',
				...both((r) => fmt(r.refused))
			},
			{
				figure: 'server event-loop delay p99 / max while they came back',
				...both((r) => `${ms(r.loop.p99)} / ${ms(r.loop.max)}`)
			},
			{
				figure: 'peak reconnects/s (busiest 100 ms × 10)',
				...both((r) => fmt(r.peakPerSecond, '/s'))
			},
			{ figure: 'reconnects in the busiest 1 s', ...both((r) => fmt(r.peakInOneSecond)) }
		],
		notes: [
			`Three restarts, one after the other, each with a new server, store and client processes: the server killed with SIGKILL and started again at once; stopped with SIGTERM (it closes every socket with 1012 "service restart" and exits) and started again at once; the same build under the supervisor (build/supervisor.js) sent SIGHUP: a new worker starts, and once it listens the old one closes every socket with 1012 (HANDOVER_CLOSE_RATE, 3,000 a second by default) and exits, so the port never stops accepting. The server: ${serverKind(build)}; its start-up is included in all three.`,
			`The floor: bench/floor-server.ts (the capacity benchmark's bare \`ws\` server: \`connected\`, a JSON ping every 10 s, nothing else) sent SIGHUP closes every socket with 1012 at the same pace as the reload (3,000 a second) and keeps listening: no restart, no store, no log line. What is left of its time to 95% is the clients' retry delay and the handshakes of ${fmt(options.clients)} clients on this machine; a restart cannot be faster than that.`,
			`Clients: ${workers} worker processes, each running its share of actors of machines/connection.ts (the page's settings: first reconnect after 0.75-1 s, jitter 0.25, then 2, 4, 8 s, …) with a \`ws\` socket factory bound to its own 127.a.b.x address; all open before the restart.`,
			'Time zero is the signal. "Open again" is the first entry into the machine\'s `open` state after it, stamped with Date.now() in the worker (one clock for all processes).',
			"Failed attempts: the machine went from `connecting` to anything but `open`, split by what `ws` reported for the socket: ECONNREFUSED (nothing listened: the server was down) against everything else (reset, timed out, an HTTP error, closed before `connected`), which reached a listening server and is a failed handshake. (Split by the cause, not by the time: the workers' clocks stamp an event when their loaded event loop gets to it, and refusals stamped after /healthz answered were counted as failed handshakes before.) The spec's jittered backoff spreads the retries of the refused ones.",
			'Event-loop delay: bench/server-probe.ts in the restarted server, reset when /healthz first answers and read once every client is back (or the wait ends).',
			`Reconnect rate: those open events counted in ${BUCKET_MS} ms buckets on the client side; the busiest bucket times 10, and the busiest run of 10 consecutive buckets. (When accepts are capped by the CPU, jitter does not lower this peak: the cap sets it. The figure that matters is the time to 95%.)`,
			...runs.map(
				(run) =>
					`Failed attempts after the ${SIGNAL_OF[run.kind]}, by the close the machine saw (code, reason): ${run.failedWhy || 'none'}.`
			),
			...runs.map(
				(run) =>
					`Header deadlines the server enforced after the ${SIGNAL_OF[run.kind]} (408, logged \`connection.headers_timeout\`): ${fmt(run.headerTimeouts.all)}, of which ${fmt(run.headerTimeouts.silent)} had not received a single byte of their request (the client had connected and not written yet).`
			),
			...runs.map((run) =>
				profileNote(
					run.kind === 'floor'
						? 'the floor, after its 1012'
						: `the server restarted after the ${SIGNAL_OF[run.kind]}`,
					run.profile,
					'from its first /healthz answer, during the storm (V8 sampling profiler through node:inspector in bench/server-probe.ts, 1 ms interval)'
				)
			),
			...runs.map(
				(run) =>
					`Open again per second after the ${SIGNAL_OF[run.kind]}: ${run.perSecond.join(', ')}.`
			)
		]
	};
}

async function storm(
	server: BenchServer,
	fleet: Fleet,
	kind: RestartKind,
	options: BenchOptions,
	log: (line: string) => void
): Promise<StormRun> {
	log(`storm (${kind}): connecting ${fmt(options.clients)} machines`);
	const started = await fleet.all<Progress>('start', (w) => ({
		baseUrl: server.process.wsUrl(''),
		localAddress: w.localAddress,
		// New ids for each storm: users that claim them and keep their tokens, as pages do. The
		// ids of a storm before are owned already, and new actors without the token would
		// reconnect unproven each time.
		idPrefix: `storm-${kind}-`,
		first: w.first,
		count: w.count,
		jitter: 0.25,
		concurrency: CONCURRENCY_PER_WORKER,
		timeoutMs: 120_000
	}));
	const open = started.reduce((sum, p) => sum + p.states.open, 0);
	log(`storm (${kind}): ${fmt(open)} open; ${SIGNAL_OF[kind]}`);
	await sleep(1_000);
	await fleet.all('mark');
	const overflowsBefore = listenOverflows();
	const killedAt = Date.now();
	const logFrom = server.process.output().length;
	if (kind === 'kill') {
		await server.process.kill();
		await server.process.restart();
	} else if (kind === 'graceful') {
		await server.process.restart(); // SIGTERM, wait for the exit, start again
	} else if (kind === 'floor') {
		process.kill(server.process.pid, 'SIGHUP'); // it closes every socket and keeps listening
	} else {
		process.kill(server.process.pid, 'SIGHUP');
		const workers = () => server.process.output().slice(logFrom).split('"event":"server.ready"');
		while (workers().length < 2) await sleep(20);
	}
	const backAt = Date.now();
	await server.resetLoopStats();
	// BENCH_PROFILE_DIR=<folder> keeps the whole profile (storm-kill.cpuprofile, …) for DevTools.
	const profileDir = process.env.BENCH_PROFILE_DIR;
	const saveTo = profileDir ? path.resolve(profileDir, `storm-${kind}.cpuprofile`) : undefined;
	const profiling = server.profile(PROFILE_MS, saveTo).catch(() => undefined);
	const serverBackS = (backAt - killedAt) / 1000;
	const logged = (event: string) => {
		const line = server.process
			.output()
			.slice(logFrom)
			.split('\n')
			.find((l) => l.includes(`"event":"${event}"`));
		const time = line ? (JSON.parse(line) as { time?: number }).time : undefined;
		return time === undefined ? Number.NaN : (time - killedAt) / 1000;
	};
	const deadline = killedAt + options.stormTimeoutMs;
	while (Date.now() < deadline) {
		const progress = await fleet.all<Progress>('progress');
		if (progress.reduce((sum, p) => sum + p.reopened, 0) >= open) break;
		await sleep(250);
	}
	// Read once they are back: in a reload the old worker closes while the new one serves.
	const closedS = logged('server.closed');
	const listeningS = logged('server.listening');
	const overflows = listenOverflows() - overflowsBefore;
	const { loopDelay } = await server.metrics();
	const profile = await profiling;
	const results = await fleet.all<
		Progress & {
			reopenedAt: Float64Array;
			refused: number;
			failedHandshakes: number;
			failedWhy: Record<string, number>;
		}
	>('collect');
	const failedWhy = new Map<string, number>();
	for (const r of results) {
		for (const [why, n] of Object.entries(r.failedWhy))
			failedWhy.set(why, (failedWhy.get(why) ?? 0) + n);
	}
	await fleet.all('stopAll');
	const times = concat(results.map((r) => r.reopenedAt))
		.filter((t) => !Number.isNaN(t))
		.map((t) => (t - killedAt) / 1000)
		.sort();
	return {
		kind,
		clients: open,
		serverBackS,
		closedS,
		listeningS,
		...reachedAt(times, open),
		...peaks(times),
		missing: open - times.length,
		perSecond: perSecond(times),
		failed: results.reduce((sum, r) => sum + r.states.failed, 0),
		refused: results.reduce((sum, r) => sum + r.refused, 0),
		listenOverflows: overflows,
		failedHandshakes: results.reduce((sum, r) => sum + r.failedHandshakes, 0),
		failedWhy: [...failedWhy]
			.sort((a, b) => b[1] - a[1])
			.map(([why, n]) => `${why}: ${fmt(n)}`)
			.join(', '),
		headerTimeouts: headerTimeoutsIn(server.process.output().slice(logFrom)),
		loop: loopDelay,
		profile
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

function headerTimeoutsIn(output: string): { all: number; silent: number } {
	const lines = output
		.split('\n')
		.filter((line) => line.includes('"event":"connection.headers_timeout"'));
	const silent = lines.filter(
		(line) => line.includes('"bytesRead":0,') || line.endsWith('"bytesRead":0}')
	);
	return { all: lines.length, silent: silent.length };
}

/**
 * The kernel's count of connections dropped for a full accept queue (Linux: TcpExt
 * ListenOverflows in /proc/net/netstat); NaN where it cannot be read.
 */
function listenOverflows(): number {
	try {
		const [names, values] = readFileSync('/proc/net/netstat', 'utf8')
			.split('\n')
			.filter((line) => line.startsWith('TcpExt:'))
			.map((line) => line.split(/\s+/));
		const at = names?.indexOf('ListenOverflows') ?? -1;
		return at > 0 ? Number(values?.[at]) : Number.NaN;
	} catch {
		return Number.NaN;
	}
}
