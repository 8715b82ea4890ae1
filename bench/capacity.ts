/**
 * Server capacity: N idle clients from worker processes against one server process. Reports the
 * handshake rate, the server's JS heap and RSS per connection after GC, its CPU over a 10 s idle
 * window, its event-loop delay, and the drift of the server's pings as the clients see them.
 * The handshake rate again from alternating rounds on both servers side by side, with the client
 * processes at the servers' priority and at nice 19 (see alternatingRates), and the servers' CPU
 * per handshake in those rounds.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { procSample, startBenchServer, startFloorServer, type BenchServer } from './bench-server';
import { copyServerBuild, serverKind } from './browser-build';
import { startFleet, type Fleet } from './fleet';
import type { ConnectResult } from './idle-worker';
import type { BenchOptions } from './options';
import type { ProbeMetrics, ProfileSummary } from './server-probe';
import { concat, summarize, type Summary } from './stats';
import { bytes, fmt, ratio, type Table } from './table';
import { sleep, waitUntil } from './wait';

/** Handshakes in flight at once per worker process. */
const CONCURRENCY_PER_WORKER = 100;
const CPU_WINDOW_MS = 10_000;
const PROFILE_MS = 10_000;
/** The alternating rate rounds: new ids per worker per ramp, and rounds. */
const ALTERNATING_PER_WORKER = 600;
const ALTERNATING_ROUNDS = 5;
/**
 * The client processes' nice value in the second set of rounds: the server then runs whenever it
 * can, as on a machine of its own, and the clients take what is left of the two cores.
 */
const CLIENT_NICE = 19;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type PingGaps = { gaps: Float64Array; pingIntervalMs: number; dropped: number };

interface Measured {
	n: number;
	workers: number;
	held: number;
	failed: number;
	firstError?: string;
	handshakesPerSecond: number;
	handshake: Summary;
	connecting: ProbeMetrics;
	cpu: number;
	profile: ProfileSummary | undefined;
	idle: ProbeMetrics;
	pingIntervalMs: number;
	drift: Summary;
	dropped: number;
	baseline: ProbeMetrics;
	baseRss: number;
	/** Connections, heap and RSS after the first half connected. */
	halfHeld: number;
	half: ProbeMetrics;
	halfRss: number;
	loaded: ProbeMetrics;
	loadedRss: number;
	serverFiles: number;
	workerFiles: number;
	afterClose: ProbeMetrics;
}

export async function runCapacity(
	options: BenchOptions,
	log: (line: string) => void
): Promise<Table> {
	// The floor first, then Talkline, each with fresh client processes, one after the other.
	log('capacity: the bare `ws` floor (bench/floor-server.ts)');
	const floor = await measureOn(startFloorServer, options, log);
	// Talkline as production runs it: the compiled server (through tsx when there is no build).
	const build = copyServerBuild(root);
	try {
		log(`capacity: Talkline, ${serverKind(build)}`);
		const startTalkline = () => startBenchServer({}, undefined, build && { cwd: build.dir });
		const talkline = await measureOn(startTalkline, options, log);
		const alternating = [
			await alternatingRates(startTalkline, options, log, 0),
			await alternatingRates(startTalkline, options, log, CLIENT_NICE)
		] as const;
		return capacityTable(floor, talkline, alternating, options, serverKind(build));
	} finally {
		build?.remove();
	}
}

async function measureOn(
	start: () => Promise<BenchServer>,
	options: BenchOptions,
	log: (line: string) => void
): Promise<Measured> {
	const server = await start();
	const fleet = await startFleet('idle-worker.ts', options.clients);
	try {
		return await measure(server, fleet, options, log);
	} finally {
		await fleet.close();
		await server.process.kill();
	}
}

/** Milliseconds from the first attempt of a batch to its last `connected`, over all workers. */
function spanOf(batchResults: readonly ConnectResult[]): number {
	return (
		Math.max(...batchResults.map((r) => r.endedAt)) -
		Math.min(...batchResults.map((r) => r.startedAt))
	);
}

async function measure(
	server: BenchServer,
	fleet: Fleet,
	options: BenchOptions,
	log: (line: string) => void
): Promise<Measured> {
	const n = options.clients;
	const baseline = await server.metrics({ gc: true });
	const baseRss = server.proc().rssBytes;
	log(`capacity: connecting ${fmt(n)} clients from ${fleet.workers.length} workers, in two halves`);
	await server.resetLoopStats();
	// Two halves: memory per connection is the growth from the first half to all, which leaves
	// out what the process allocated (and may keep) while starting and taking its first sockets.
	const batch = (half: 0 | 1) =>
		fleet.all<ConnectResult>('connect', (w) => {
			const firstHalf = Math.floor(w.count / 2);
			return {
				baseUrl: server.process.wsUrl(''),
				localAddress: w.localAddress,
				first: w.first + (half === 0 ? 0 : firstHalf),
				count: half === 0 ? firstHalf : w.count - firstHalf,
				offset: half === 0 ? 0 : firstHalf,
				total: w.count,
				concurrency: CONCURRENCY_PER_WORKER
			};
		});
	const firstResults = await batch(0);
	const firstFailed = firstResults.reduce((sum, r) => sum + r.failed, 0);
	await waitUntil(
		async () => (await server.connections()) >= Math.floor(n / 2) - firstFailed,
		10_000
	);
	const halfHeld = await server.connections();
	const half = await server.metrics({ gc: true });
	const halfRss = server.proc().rssBytes;
	const secondResults = await batch(1);
	const connecting = await server.metrics();
	const results = [...firstResults, ...secondResults];
	const failed = results.reduce((sum, r) => sum + r.failed, 0);
	const span = spanOf(firstResults) + spanOf(secondResults);
	await waitUntil(async () => (await server.connections()) >= n - failed, 10_000);
	const held = await server.connections();

	log(`capacity: holding ${fmt(held)} idle connections for ${options.holdMs / 1000} s`);
	await fleet.all('startGaps');
	await server.resetLoopStats();
	const cpuFrom = server.proc().cpuSeconds;
	await sleep(CPU_WINDOW_MS);
	const cpu = (server.proc().cpuSeconds - cpuFrom) / (CPU_WINDOW_MS / 1000);
	// Where the idle time goes: a CPU profile after the CPU window (it costs a little CPU itself).
	const profileMs = Math.min(PROFILE_MS, Math.max(0, options.holdMs - CPU_WINDOW_MS - 1_000));
	const profileFrom = Date.now();
	const profile = profileMs > 0 ? await server.profile(profileMs) : undefined;
	await sleep(Math.max(0, options.holdMs - CPU_WINDOW_MS - (Date.now() - profileFrom)));
	const idle = await server.metrics();
	const pings = await fleet.all<PingGaps>('gaps');
	const pingIntervalMs = pings[0]?.pingIntervalMs ?? Number.NaN;

	const loaded = await server.metrics({ gc: true });
	const proc = server.proc();
	const workerFiles = Math.max(...fleet.workers.map((w) => procSample(w.pid).openFiles));
	await fleet.all('closeAll');
	await waitUntil(async () => (await server.connections()) === 0, 30_000);
	return {
		n,
		workers: fleet.workers.length,
		held,
		failed,
		firstError: results.find((r) => r.firstError)?.firstError,
		handshakesPerSecond: (n - failed) / (span / 1000),
		handshake: summarize(concat(results.map((r) => r.handshakeMs)).filter((v) => !isNaN(v))),
		connecting,
		cpu,
		profile,
		idle,
		pingIntervalMs,
		drift: summarize(concat(pings.map((p) => p.gaps)).map((gap) => gap - pingIntervalMs)),
		dropped: pings.reduce((sum, p) => sum + p.dropped, 0),
		baseline,
		baseRss,
		halfHeld,
		half,
		halfRss,
		loaded,
		loadedRss: proc.rssBytes,
		serverFiles: proc.openFiles,
		workerFiles,
		afterClose: await server.metrics({ gc: true })
	};
}

/**
 * One ramp of the alternating rounds: its server, handshakes done, seconds from first to last,
 * and the server's CPU seconds over the ramp.
 */
interface Ramp {
	server: BenchServer;
	done: number;
	seconds: number;
	cpuSeconds: number;
}

/** Per alternating round, each server's handshakes per second and CPU per handshake (µs). */
interface Alternating {
	/** The client processes' nice value (0: the same priority as the servers). */
	clientNice: number;
	perRamp: number;
	floor: number[];
	talkline: number[];
	floorCpuUs: number[];
	talklineCpuUs: number[];
}

/**
 * The handshake rate again, in short ramps that alternate between the two servers (both up):
 * this machine's speed drifts by a fifth over a minute (the same build measured 200-292 µs of
 * server CPU per handshake in six runs in a row), so a ratio of two ramps made a minute apart
 * says as much about the drift as about the servers.
 */
async function alternatingRates(
	startTalkline: () => Promise<BenchServer>,
	options: BenchOptions,
	log: (line: string) => void,
	clientNice: number
): Promise<Alternating> {
	const floor = await startFloorServer();
	const talkline = await startTalkline();
	const result: Alternating = {
		clientNice,
		perRamp: 0,
		floor: [],
		talkline: [],
		floorCpuUs: [],
		talklineCpuUs: []
	};
	let fleet: Fleet | undefined;
	let ramp = 0;
	/** One ramp of new ids on `server`: handshakes done, seconds from first attempt to last, CPU. */
	const rate = async (on: Fleet, server: BenchServer): Promise<Ramp> => {
		ramp += 1;
		const cpuFrom = server.proc().cpuSeconds;
		const results = await on.all<ConnectResult>('connect', (w) => ({
			baseUrl: server.process.wsUrl(''),
			localAddress: w.localAddress,
			// New ids for every ramp: each claims its id, as in the ramp above.
			first: ramp * 1_000_000 + w.first,
			count: Math.min(w.count, ALTERNATING_PER_WORKER),
			concurrency: CONCURRENCY_PER_WORKER
		}));
		// Read before the clients close: closing costs the server CPU too, and is not a handshake.
		const cpuSeconds = server.proc().cpuSeconds - cpuFrom;
		const done = results.reduce((sum, r) => sum + r.handshakeMs.length - r.failed, 0);
		result.perRamp = results.reduce((sum, r) => sum + r.handshakeMs.length, 0);
		await on.all('closeAll');
		await waitUntil(async () => (await server.connections()) === 0, 30_000);
		return { server, done, seconds: spanOf(results) / 1000, cpuSeconds };
	};
	try {
		for (let round = 1; round <= ALTERNATING_ROUNDS; round += 1) {
			log(`capacity: alternating rates, clients at nice ${clientNice}, round ${round}`);
			// New client processes, on a fresh /24, each round: ramps from the same addresses to
			// the same server a few seconds apart stalled (a tenth of the rate) on their
			// predecessors' TIME_WAIT sockets.
			fleet = await startFleet('idle-worker.ts', options.clients);
			for (const worker of fleet.workers) os.setPriority(worker.pid, clientNice);
			const [a, b] = round % 2 === 1 ? [floor, talkline] : [talkline, floor];
			// A ramp on each, not counted: the first ramp of new client processes (and of a new
			// server) also compiles their code.
			await rate(fleet, a);
			await rate(fleet, b);
			// Then A, B, B, A: the ramps kept getting faster within a fleet (the ramp measured
			// second in a round came out at 1.15-1.38x of the first, whichever server that was),
			// and this order cancels a steady trend like that.
			const counted: Ramp[] = [];
			for (const server of [a, b, b, a]) counted.push(await rate(fleet, server));
			await fleet.close();
			fleet = undefined;
			/** A server's handshakes, seconds and CPU seconds, summed over its two counted ramps. */
			const sumOf = (server: BenchServer) => {
				const its = counted.filter((r) => r.server === server);
				const total = (pick: (r: Ramp) => number) => its.reduce((sum, r) => sum + pick(r), 0);
				return {
					done: total((r) => r.done),
					seconds: total((r) => r.seconds),
					cpu: total((r) => r.cpuSeconds)
				};
			};
			const [f, t] = [sumOf(floor), sumOf(talkline)];
			result.floor.push(f.done / f.seconds);
			result.talkline.push(t.done / t.seconds);
			result.floorCpuUs.push((f.cpu / f.done) * 1e6);
			result.talklineCpuUs.push((t.cpu / t.done) * 1e6);
		}
		return result;
	} finally {
		await fleet?.close();
		await Promise.all([floor.process.kill(), talkline.process.kill()]);
	}
}

/** Talkline's figure over the floor's, round by round. */
function perRound(talkline: readonly number[], floor: readonly number[]): number[] {
	return talkline.map((value, i) => value / (floor[i] as number));
}

/** The median of the rounds' ratios, then each: "0.85x (0.92x, 0.85x, …)". */
function medianAndEach(ratios: readonly number[]): string {
	return `${ratio(summarize(ratios).p50, 1)} (${ratios.map((r) => ratio(r, 1)).join(', ')})`;
}

function capacityTable(
	floor: Measured,
	talkline: Measured,
	alternating: readonly Alternating[],
	options: BenchOptions,
	talklineKind: string
): Table {
	const perConn = (m: Measured, delta: number) =>
		m.held > m.halfHeld ? delta / (m.held - m.halfHeld) : Number.NaN;
	const heap = (m: Measured) => perConn(m, m.loaded.heapUsed - m.half.heapUsed);
	const rss = (m: Measured) => perConn(m, m.loadedRss - m.halfRss);
	const ms = (value: number) => fmt(value, 'ms', 1);
	const both = (show: (m: Measured) => string) => ({ value: show(floor), more: [show(talkline)] });
	/** A figure both servers have, with Talkline's value as a multiple of the floor's. */
	const compared = (
		figure: string,
		pick: (m: Measured) => number,
		show: (value: number) => string,
		target?: string
	) => ({
		figure,
		value: show(pick(floor)),
		more: [show(pick(talkline)), ratio(pick(talkline), pick(floor))],
		target
	});
	const m = talkline;
	return {
		title: `Server capacity: ${fmt(m.n)} idle clients, the bare \`ws\` floor and Talkline in one run`,
		columns: ['bare `ws` floor', 'Talkline', 'Talkline / floor'],
		rows: [
			{
				figure: 'idle connections held (server count)',
				...both((r) => `${fmt(r.held)} of ${fmt(r.n)}`),
				target: '18,000'
			},
			{
				figure: 'failed handshakes',
				...both((r) => fmt(r.failed) + (r.firstError ? ` (${r.firstError})` : ''))
			},
			compared(
				`handshake rate, the ${fmt(m.n)} ramp`,
				(r) => r.handshakesPerSecond,
				(v) => fmt(v, '/s'),
				'≥ 0.95x'
			),
			...alternating.map((rounds) => ({
				figure: `handshake rate, ${rounds.floor.length} alternating rounds of ${fmt(rounds.perRamp)}, clients at nice ${rounds.clientNice} (A, B, B, A; median ratio; each round)`,
				value: rounds.floor.map((v) => fmt(v, '/s')).join(', '),
				more: [
					rounds.talkline.map((v) => fmt(v, '/s')).join(', '),
					medianAndEach(perRound(rounds.talkline, rounds.floor))
				],
				target: '≥ 0.95x'
			})),
			...alternating.map((rounds) => ({
				figure: `server CPU per handshake, the same rounds at nice ${rounds.clientNice} (median ratio; each round)`,
				value: rounds.floorCpuUs.map((v) => fmt(v, 'µs')).join(', '),
				more: [
					rounds.talklineCpuUs.map((v) => fmt(v, 'µs')).join(', '),
					medianAndEach(perRound(rounds.talklineCpuUs, rounds.floorCpuUs))
				]
			})),
			{
				figure: 'handshake time p50 / p99',
				...both((r) => `${fmt(r.handshake.p50, 'ms')} / ${fmt(r.handshake.p99, 'ms')}`)
			},
			compared('server RSS per connection', rss, bytes, '≤ 1.5x'),
			compared(
				'server CPU, 10 s idle window (% of one core)',
				(r) => r.cpu * 100,
				(v) => fmt(v, '%', 1),
				'≤ 1.5x'
			),
			compared('server JS heap per connection (after GC)', heap, bytes, '≤ 8 KB'),
			{
				figure: 'server JS heap / RSS with all connected',
				...both((r) => `${bytes(r.loaded.heapUsed)} / ${bytes(r.loadedRss)}`)
			},
			{
				figure: 'server JS heap after all closed (GC), start',
				...both((r) => `${bytes(r.afterClose.heapUsed)}, ${bytes(r.baseline.heapUsed)}`)
			},
			{ figure: 'server event-loop delay p99, idle', ...both((r) => ms(r.idle.loopDelay.p99)) },
			{
				figure: 'server event-loop delay p99 / max, connecting',
				...both((r) => `${ms(r.connecting.loopDelay.p99)} / ${ms(r.connecting.loopDelay.max)}`)
			},
			{
				figure: 'ping drift p50 / p99 / max',
				...both((r) => `${ms(r.drift.p50)} / ${ms(r.drift.p99)} / ${ms(r.drift.max)}`)
			},
			{ figure: 'ping gaps timed', ...both((r) => fmt(r.drift.count)) },
			{ figure: 'connections dropped while idle', ...both((r) => fmt(r.dropped)) },
			{
				figure: 'open files: server / busiest worker',
				...both((r) => `${fmt(r.serverFiles)} / ${fmt(r.workerFiles)}`),
				target: '< 20,000 each'
			}
		],
		notes: [
			`The floor: bench/floor-server.ts, a bare \`ws\` server that sends \`connected\` and a JSON \`ping\` every 10 s to each socket (one \`setInterval\` per socket) and nothing else: no store, no sessions, no protocol pings, no log line per connection. Talkline: ${talklineKind}, with its defaults (SQLite store). Both run with the same probe (the floor through tsx, which only compiles it at start); the floor is measured first, then Talkline, each with new client processes, in the same run, so the ratio compares the two on the same machine at nearly the same moment.`,
			`Clients: ${m.workers} worker processes (\`ws\`), each bound to its own 127.a.b.x address (a fresh /24 for each fleet), ${CONCURRENCY_PER_WORKER} handshakes in flight per worker; each answers pings and sends \`resume\` like the page.`,
			'Handshake time: `new WebSocket` until the `connected` message.',
			'Memory per connection: the clients connect in two halves; heap and RSS with all connected minus with the first half connected, divided by the connections added (the growth per connection, leaving out what the process took while starting and accepting its first sockets). Heap: `process.memoryUsage().heapUsed` in the server after three `gc()` passes (`--expose-gc`, read by bench/server-probe.ts); RSS: VmRSS from /proc/<pid>/status after the same passes.',
			'Handshake rate: successful handshakes / (wall-clock span of the first half + span of the second half), from the first attempt to the last `connected` of each half.',
			`Alternating rounds: after the measurements above, both servers are started again side by side. Each round has new client processes on a fresh /24; they make a ramp of ${ALTERNATING_PER_WORKER} new ids per worker (${CONCURRENCY_PER_WORKER} in flight) on each server, not counted, then four counted ramps in the order A, B, B, A (A the floor in odd rounds, Talkline in even ones); the clients are closed between ramps. A server's rate in a round: its handshakes over the summed spans of its two ramps. The A, B, B, A order cancels a steady trend: the ramps got faster within a fleet (the second server of a round measured 1.15-1.38x of the first in runs of A, B, whichever it was). And this machine's speed drifts by about a fifth over a minute, so the one 18,000 ramp on each, a minute apart, gives a ratio that swings by as much; the median of the rounds' ratios is the steadier figure. The rounds run twice: with the client processes at the servers' priority (nice 0), and at nice ${CLIENT_NICE}, where the server runs whenever it can, as on a machine of its own, and the clients take what is left. At nice 0 the seven processes share the two cores fairly, and a server that needs more CPU per handshake gets its handshakes done later; at nice ${CLIENT_NICE} it takes the CPU it needs from the clients, and what shows is the CPU both sides spend per handshake (one write for the 101 and \`connected\` spares Talkline's clients a wake-up).`,
			"Server CPU per handshake, in the same rounds: utime + stime of the server process (all its threads, /proc/<pid>/stat, 10 ms ticks) from the start of a counted ramp to its last `connected`, read before the clients close; a server's two counted ramps of a round summed, over its handshakes. It is what each handshake costs the server, whoever else needs the cores: the rate depends on it and on the clients' CPU, which this figure leaves out.",
			`CPU: utime + stime from /proc/<pid>/stat over ${CPU_WINDOW_MS / 1000} s with every client connected and idle (JSON pings every ${fmt(m.pingIntervalMs, 'ms')}).`,
			'Event-loop delay: `perf_hooks.monitorEventLoopDelay` in the server (a 10 ms timer; the delay is how much later than 10 ms it fired), over the idle hold and over the connect phase.',
			...[floor, talkline].map((r, i) =>
				profileNote(i === 0 ? 'the floor' : 'Talkline', r.profile)
			),
			`Ping drift: on each client, the gap between two consecutive server \`ping\`s minus the ping interval, over a ${options.holdMs / 1000} s hold.`
		]
	};
}

/** One note on where a server's main thread spent a profile (`during`: of which window). */
export function profileNote(
	who: string,
	p: ProfileSummary | undefined,
	during = 'idle (V8 sampling profiler through node:inspector in bench/server-probe.ts, 1 ms interval, after the CPU window)'
): string {
	if (!p) return `CPU profile of ${who}: not taken (hold too short).`;
	const busy = p.totalMs - p.idleMs;
	const top = p.top
		.slice(0, 12)
		.map((e) => `${e.name} (${e.where || 'native'}) ${e.selfMs.toFixed(0)} ms`)
		.join('; ');
	return `CPU profile of ${who}'s main thread over ${(p.totalMs / 1000).toFixed(1)} s ${during}: busy ${busy.toFixed(0)} ms (${((100 * busy) / p.totalMs).toFixed(1)}%), of which GC ${p.gcMs.toFixed(0)} ms; most self time: ${top}.`;
}
