/**
 * Server capacity: N idle clients from worker processes against one server process. Reports the
 * handshake rate, the server's JS heap and RSS per connection after GC, its CPU over a 10 s idle
 * window, its event-loop delay, and the drift of the server's pings as the clients see them.
 */
import { startBenchServer } from './bench-server';
import { startFleet } from './fleet';
import type { ConnectResult } from './idle-worker';
import type { BenchOptions } from './options';
import { concat, summarize } from './stats';
import { bytes, fmt, type Table } from './table';
import { procSample } from './bench-server';
import { sleep, waitUntil } from './wait';

/** Handshakes in flight at once per worker process. */
const CONCURRENCY_PER_WORKER = 100;
const CPU_WINDOW_MS = 10_000;

export async function runCapacity(
	options: BenchOptions,
	log: (line: string) => void
): Promise<Table> {
	const n = options.clients;
	const server = await startBenchServer();
	const fleet = await startFleet('idle-worker.ts', n);
	try {
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
		const ok = n - results.reduce((sum, r) => sum + r.failed, 0);
		const span =
			(Math.max(...results.map((r) => r.endedAt)) - Math.min(...results.map((r) => r.startedAt))) /
			1000;
		const handshake = summarize(concat(results.map((r) => r.handshakeMs)).filter((v) => !isNaN(v)));
		const firstError = results.find((r) => r.firstError)?.firstError;
		await waitUntil(async () => (await server.connections()) >= ok, 10_000);
		const held = await server.connections();

		log(`capacity: holding ${fmt(held)} idle connections for ${options.holdMs / 1000} s`);
		await fleet.all('startGaps');
		await server.resetLoopStats();
		const cpuFrom = server.proc().cpuSeconds;
		await sleep(CPU_WINDOW_MS);
		const cpu = (server.proc().cpuSeconds - cpuFrom) / (CPU_WINDOW_MS / 1000);
		await sleep(Math.max(0, options.holdMs - CPU_WINDOW_MS));
		const idle = await server.metrics();
		const pings = await fleet.all<{ gaps: Float64Array; pingIntervalMs: number; dropped: number }>(
			'gaps'
		);
		const interval = pings[0]?.pingIntervalMs ?? Number.NaN;
		const drift = summarize(concat(pings.map((p) => p.gaps)).map((gap) => gap - interval));
		const dropped = pings.reduce((sum, p) => sum + p.dropped, 0);

		const loaded = await server.metrics({ gc: true });
		const proc = server.proc();
		const workerFiles = Math.max(...fleet.workers.map((w) => procSample(w.pid).openFiles));
		await fleet.all('closeAll');
		await waitUntil(async () => (await server.connections()) === 0, 30_000);
		const after = await server.metrics({ gc: true });

		const perConn = (delta: number) => (held > 0 ? delta / held : Number.NaN);
		return {
			title: `Server capacity: ${fmt(n)} idle clients`,
			rows: [
				{
					figure: 'idle connections held (server count)',
					value: `${fmt(held)} of ${fmt(n)}`,
					target: '18,000'
				},
				{
					figure: 'failed handshakes',
					value: fmt(n - ok) + (firstError ? ` (${firstError})` : '')
				},
				{ figure: 'handshake rate', value: fmt(ok / span, '/s') },
				{
					figure: 'handshake time p50 / p99',
					value: `${fmt(handshake.p50, 'ms')} / ${fmt(handshake.p99, 'ms')}`
				},
				{
					figure: 'server JS heap per connection (after GC)',
					value: bytes(perConn(loaded.heapUsed - baseline.heapUsed)),
					target: '≤ 8 KB'
				},
				{ figure: 'server RSS per connection', value: bytes(perConn(proc.rssBytes - baseRss)) },
				{
					figure: 'server JS heap / RSS with all connected',
					value: `${bytes(loaded.heapUsed)} / ${bytes(proc.rssBytes)}`
				},
				{
					figure: 'server JS heap after all closed (GC)',
					value: `${bytes(after.heapUsed)} (start: ${bytes(baseline.heapUsed)})`
				},
				{
					figure: 'server CPU, 10 s idle window',
					value: fmt(cpu * 100, '% of one core', 1),
					target: '≤ 10% at 10,000'
				},
				{ figure: 'server event-loop delay p99, idle', value: fmt(idle.loopDelay.p99, 'ms', 1) },
				{
					figure: 'server event-loop delay p99 / max, connecting',
					value: `${fmt(connecting.loopDelay.p99, 'ms', 1)} / ${fmt(connecting.loopDelay.max, 'ms', 1)}`
				},
				{
					figure: `ping drift p50 / p99 / max (${fmt(drift.count)} gaps)`,
					value: `${fmt(drift.p50, 'ms', 1)} / ${fmt(drift.p99, 'ms', 1)} / ${fmt(drift.max, 'ms', 1)}`
				},
				{ figure: 'connections dropped while idle', value: fmt(dropped) },
				{
					figure: 'open files: server / busiest worker',
					value: `${fmt(proc.openFiles)} / ${fmt(workerFiles)}`,
					target: '< 20,000 each'
				}
			],
			notes: [
				`Clients: ${fleet.workers.length} worker processes (\`ws\`), each bound to its own 127.0.0.x address, ${CONCURRENCY_PER_WORKER} handshakes in flight per worker; each answers pings and sends \`resume\` like the page.`,
				'Handshake: `new WebSocket` until the `connected` message; rate = successful handshakes / (last connected - first attempt), wall clock.',
				'Heap: `process.memoryUsage().heapUsed` in the server after three `gc()` passes (`--expose-gc`, read by bench/server-probe.ts), with all clients connected minus before any connected, divided by the connections held. RSS from /proc/<pid>/status (VmRSS), same difference.',
				`CPU: utime + stime from /proc/<pid>/stat over ${CPU_WINDOW_MS / 1000} s with every client connected and idle (server pings every ${fmt(interval, 'ms')}).`,
				'Event-loop delay: `perf_hooks.monitorEventLoopDelay` in the server (a 10 ms timer; the delay is how much later than 10 ms it fired), over the idle hold and over the connect phase.',
				`Ping drift: on each client, the gap between two consecutive server \`ping\`s minus the ping interval, over a ${options.holdMs / 1000} s hold.`
			]
		};
	} finally {
		await fleet.close();
		await server.process.kill();
	}
}
