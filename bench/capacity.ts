/**
 * Server capacity: N idle clients from worker processes against one server process. Reports the
 * handshake rate, the server's JS heap and RSS per connection after GC, its CPU over a 10 s idle
 * window, its event-loop delay, and the drift of the server's pings as the clients see them.
 */
import { procSample, startBenchServer, type BenchServer } from './bench-server';
import { startFleet, type Fleet } from './fleet';
import type { ConnectResult } from './idle-worker';
import type { BenchOptions } from './options';
import type { ProbeMetrics } from './server-probe';
import { concat, summarize, type Summary } from './stats';
import { bytes, fmt, type Table } from './table';
import { sleep, waitUntil } from './wait';

/** Handshakes in flight at once per worker process. */
const CONCURRENCY_PER_WORKER = 100;
const CPU_WINDOW_MS = 10_000;

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
	idle: ProbeMetrics;
	pingIntervalMs: number;
	drift: Summary;
	dropped: number;
	baseline: ProbeMetrics;
	baseRss: number;
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
	const server = await startBenchServer();
	const fleet = await startFleet('idle-worker.ts', options.clients);
	try {
		return capacityTable(await measure(server, fleet, options, log), options);
	} finally {
		await fleet.close();
		await server.process.kill();
	}
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
	log(`capacity: connecting ${fmt(n)} clients from ${fleet.workers.length} workers`);
	await server.resetLoopStats();
	const results = await fleet.all<ConnectResult>('connect', (w) => ({
		baseUrl: server.process.wsUrl(''),
		localAddress: w.localAddress,
		first: w.first,
		count: w.count,
		concurrency: CONCURRENCY_PER_WORKER
	}));
	const connecting = await server.metrics();
	const failed = results.reduce((sum, r) => sum + r.failed, 0);
	const span =
		Math.max(...results.map((r) => r.endedAt)) - Math.min(...results.map((r) => r.startedAt));
	await waitUntil(async () => (await server.connections()) >= n - failed, 10_000);
	const held = await server.connections();

	log(`capacity: holding ${fmt(held)} idle connections for ${options.holdMs / 1000} s`);
	await fleet.all('startGaps');
	await server.resetLoopStats();
	const cpuFrom = server.proc().cpuSeconds;
	await sleep(CPU_WINDOW_MS);
	const cpu = (server.proc().cpuSeconds - cpuFrom) / (CPU_WINDOW_MS / 1000);
	await sleep(Math.max(0, options.holdMs - CPU_WINDOW_MS));
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
		idle,
		pingIntervalMs,
		drift: summarize(concat(pings.map((p) => p.gaps)).map((gap) => gap - pingIntervalMs)),
		dropped: pings.reduce((sum, p) => sum + p.dropped, 0),
		baseline,
		baseRss,
		loaded,
		loadedRss: proc.rssBytes,
		serverFiles: proc.openFiles,
		workerFiles,
		afterClose: await server.metrics({ gc: true })
	};
}

function capacityTable(m: Measured, options: BenchOptions): Table {
	const perConn = (delta: number) => (m.held > 0 ? delta / m.held : Number.NaN);
	const ms = (value: number) => fmt(value, 'ms', 1);
	return {
		title: `Server capacity: ${fmt(m.n)} idle clients`,
		rows: [
			{
				figure: 'idle connections held (server count)',
				value: `${fmt(m.held)} of ${fmt(m.n)}`,
				target: '18,000'
			},
			{
				figure: 'failed handshakes',
				value: fmt(m.failed) + (m.firstError ? ` (${m.firstError})` : '')
			},
			{ figure: 'handshake rate', value: fmt(m.handshakesPerSecond, '/s') },
			{
				figure: 'handshake time p50 / p99',
				value: `${fmt(m.handshake.p50, 'ms')} / ${fmt(m.handshake.p99, 'ms')}`
			},
			{
				figure: 'server JS heap per connection (after GC)',
				value: bytes(perConn(m.loaded.heapUsed - m.baseline.heapUsed)),
				target: '≤ 8 KB'
			},
			{ figure: 'server RSS per connection', value: bytes(perConn(m.loadedRss - m.baseRss)) },
			{
				figure: 'server JS heap / RSS with all connected',
				value: `${bytes(m.loaded.heapUsed)} / ${bytes(m.loadedRss)}`
			},
			{
				figure: 'server JS heap after all closed (GC)',
				value: `${bytes(m.afterClose.heapUsed)} (start: ${bytes(m.baseline.heapUsed)})`
			},
			{
				figure: 'server CPU, 10 s idle window',
				value: fmt(m.cpu * 100, '% of one core', 1),
				target: '≤ 10% at 10,000'
			},
			{ figure: 'server event-loop delay p99, idle', value: ms(m.idle.loopDelay.p99) },
			{
				figure: 'server event-loop delay p99 / max, connecting',
				value: `${ms(m.connecting.loopDelay.p99)} / ${ms(m.connecting.loopDelay.max)}`
			},
			{
				figure: `ping drift p50 / p99 / max (${fmt(m.drift.count)} gaps)`,
				value: `${ms(m.drift.p50)} / ${ms(m.drift.p99)} / ${ms(m.drift.max)}`
			},
			{ figure: 'connections dropped while idle', value: fmt(m.dropped) },
			{
				figure: 'open files: server / busiest worker',
				value: `${fmt(m.serverFiles)} / ${fmt(m.workerFiles)}`,
				target: '< 20,000 each'
			}
		],
		notes: [
			`Clients: ${m.workers} worker processes (\`ws\`), each bound to its own 127.0.0.x address, ${CONCURRENCY_PER_WORKER} handshakes in flight per worker; each answers pings and sends \`resume\` like the page.`,
			'Handshake: `new WebSocket` until the `connected` message; rate = successful handshakes / (last connected - first attempt), wall clock.',
			'Heap: `process.memoryUsage().heapUsed` in the server after three `gc()` passes (`--expose-gc`, read by bench/server-probe.ts), with all clients connected minus before any connected, divided by the connections held. RSS from /proc/<pid>/status (VmRSS), same difference.',
			`CPU: utime + stime from /proc/<pid>/stat over ${CPU_WINDOW_MS / 1000} s with every client connected and idle (server pings every ${fmt(m.pingIntervalMs, 'ms')}).`,
			'Event-loop delay: `perf_hooks.monitorEventLoopDelay` in the server (a 10 ms timer; the delay is how much later than 10 ms it fired), over the idle hold and over the connect phase.',
			`Ping drift: on each client, the gap between two consecutive server \`ping\`s minus the ping interval, over a ${options.holdMs / 1000} s hold.`
		]
	};
}
