/**
 * Loaded into the server process by the benchmarks (`NODE_OPTIONS=--import …/server-probe.ts`,
 * see ./bench-server.ts), so that the server's own code stays as it is. It listens on a free
 * port of 127.0.0.1, announces it as one JSON log line (`{"event":"bench.probe","port":…}`), and
 * answers:
 * - `GET /metrics`: `process.memoryUsage()` and the event-loop delay since the last reset;
 * - `GET /metrics?gc=1`: the same after full garbage collections (needs `--expose-gc`);
 * - `GET /reset`: restarts the event-loop delay histogram and utilization window.
 * - `GET /profile?ms=N`: a V8 CPU profile of the next N ms (node:inspector, in this process),
 *   answered as the functions with the most self time (see `ProfileSummary`); `&save=<file>`
 *   also writes the whole profile to that file.
 * It only reads (the server's state); it changes nothing in the server.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

/** What `/metrics` answers; sizes in bytes, delays in ms. */
export interface ProbeMetrics {
	heapUsed: number;
	heapTotal: number;
	external: number;
	arrayBuffers: number;
	rss: number;
	/** Event-loop delay since the last reset: how late a 10 ms timer fired. */
	loopDelay: { p50: number; p99: number; max: number; samples: number };
	/** Share of the time the event loop was busy since the last reset, 0..1. */
	loopUtilization: number;
	/** Whether the numbers were taken after garbage collection. */
	afterGc: boolean;
}

const RESOLUTION_MS = 10;
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
histogram.enable();
let utilizationFrom = performance.eventLoopUtilization();

const gc = (globalThis as { gc?: () => void }).gc;

function collect(): boolean {
	if (!gc) return false;
	// Several passes: weak references and finalizers free more on the second and third.
	for (let i = 0; i < 3; i += 1) gc();
	return true;
}

function metrics(withGc: boolean): ProbeMetrics {
	const afterGc = withGc && collect();
	const memory = process.memoryUsage();
	// The histogram holds whole timer intervals; the delay is what exceeds the resolution.
	const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
	return {
		heapUsed: memory.heapUsed,
		heapTotal: memory.heapTotal,
		external: memory.external,
		arrayBuffers: memory.arrayBuffers,
		rss: memory.rss,
		loopDelay: {
			p50: ms(histogram.percentile(50)),
			p99: ms(histogram.percentile(99)),
			max: ms(histogram.max),
			samples: histogram.count
		},
		loopUtilization: performance.eventLoopUtilization(utilizationFrom).utilization,
		afterGc
	};
}

/** Where a CPU profile's samples went: self time per function, and the totals. */
export interface ProfileSummary {
	/** ms the profile covered, and the part of it V8 found the thread idle / in GC. */
	totalMs: number;
	idleMs: number;
	gcMs: number;
	top: { name: string; where: string; selfMs: number }[];
}

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
}

async function profile(ms: number, saveTo: string | null): Promise<ProfileSummary> {
	const session = new Session();
	session.connect();
	try {
		await session.post('Profiler.enable');
		await session.post('Profiler.setSamplingInterval', { interval: 1000 });
		await session.post('Profiler.start');
		await new Promise((resolve) => setTimeout(resolve, ms));
		const { profile: result } = (await session.post('Profiler.stop')) as unknown as {
			profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
		};
		if (saveTo) writeFileSync(saveTo, JSON.stringify(result));
		const byId = new Map(result.nodes.map((node) => [node.id, node]));
		const self = new Map<string, { name: string; where: string; selfMs: number }>();
		let totalMs = 0;
		result.samples.forEach((id, i) => {
			const delta = (result.timeDeltas[i] ?? 0) / 1000;
			totalMs += delta;
			const frame = byId.get(id)?.callFrame;
			const name = frame?.functionName || '(anonymous)';
			const file = (frame?.url ?? '')
				.replace(/^.*\/node_modules\//, '')
				.replace(/^file:\/\/.*?\/(src|bench|scripts)\//, '$1/');
			const where = file ? `${file}:${(frame?.lineNumber ?? 0) + 1}` : '';
			const key = `${name} ${where}`;
			const entry = self.get(key) ?? { name, where, selfMs: 0 };
			entry.selfMs += delta;
			self.set(key, entry);
		});
		const of = (name: string) =>
			[...self.values()].filter((e) => e.name === name).reduce((sum, e) => sum + e.selfMs, 0);
		const top = [...self.values()]
			.filter((e) => !['(idle)', '(program)', '(garbage collector)'].includes(e.name))
			.sort((a, b) => b.selfMs - a.selfMs)
			.slice(0, 15);
		return { totalMs, idleMs: of('(idle)'), gcMs: of('(garbage collector)'), top };
	} finally {
		session.disconnect();
	}
}

const probe = http.createServer((req, res) => {
	const url = new URL(req.url ?? '/', 'http://probe');
	if (url.pathname === '/profile') {
		profile(Number(url.searchParams.get('ms') ?? 10_000), url.searchParams.get('save')).then(
			(summary) => {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(JSON.stringify(summary));
			},
			(error: unknown) => res.writeHead(500).end(String(error))
		);
		return;
	}
	if (url.pathname === '/reset') {
		histogram.reset();
		utilizationFrom = performance.eventLoopUtilization();
		res.end('{}');
		return;
	}
	if (url.pathname !== '/metrics') {
		res.writeHead(404).end();
		return;
	}
	res.writeHead(200, { 'content-type': 'application/json' });
	res.end(JSON.stringify(metrics(url.searchParams.get('gc') === '1')));
});
// Exclusive: in a worker of scripts/supervise.ts, a port of its own rather than one shared with
// the other workers' probes through the cluster module.
probe.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
	const { port } = probe.address() as AddressInfo;
	process.stdout.write(`${JSON.stringify({ event: 'bench.probe', port, gc: Boolean(gc) })}\n`);
});
probe.unref(); // never keeps the server alive on shutdown
