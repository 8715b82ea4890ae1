/**
 * The server under test: the real `scripts/serve.ts` (through `startServerProcess`), with the
 * read-only probe of ./server-probe.ts loaded into it and `--expose-gc`, plus what Linux tells
 * about the process in /proc (CPU time, RSS, open files), which needs nothing from the server.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerProcess, type ServerProcess } from '../tests/support/server-process';
import type { ProbeMetrics, ProfileSummary } from './server-probe';

const probePath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server-probe.ts');

/** CPU time and memory of a process, from /proc. */
export interface ProcSample {
	/** user + system CPU time so far, in seconds. */
	cpuSeconds: number;
	rssBytes: number;
	/** Peak RSS (VmHWM). */
	peakRssBytes: number;
	openFiles: number;
}

export interface BenchServer {
	readonly process: ServerProcess;
	/** Metrics from the probe inside the server; `gc` runs full collections first. */
	metrics(options?: { gc?: boolean }): Promise<ProbeMetrics>;
	/** Restarts the probe's event-loop delay histogram and utilization window. */
	resetLoopStats(): Promise<void>;
	/** A V8 CPU profile of the server's main thread over the next `ms`, summarized. */
	profile(ms: number): Promise<ProfileSummary>;
	/** /proc numbers of the current server process. */
	proc(): ProcSample;
	/** Open sockets as the server counts them (/healthz). */
	connections(): Promise<number>;
}

/**
 * Starts the server with the probe; `env` is added to the server's environment. `script` runs
 * another entry instead of scripts/serve.ts (the floor of ./floor-server.ts).
 */
export async function startBenchServer(
	env: Record<string, string> = {},
	script?: string
): Promise<BenchServer> {
	const server = await startServerProcess({
		script,
		env: {
			// tsx first, so that the probe (TypeScript) can load; the server's own --import tsx then
			// finds it registered already.
			NODE_OPTIONS: `--expose-gc --import tsx --import ${probePath}`,
			// The benchmarks measure how many clients one process holds, from a few loopback
			// addresses: the connection caps (18,000 in all, 200 per address by default) are off.
			MAX_CONNECTIONS: '0',
			MAX_CONNECTIONS_PER_IP: '0',
			...env
		},
		startTimeoutMs: 60_000
	});
	const probeUrl = (): string => {
		const lines = server.output().split('\n');
		for (let i = lines.length - 1; i >= 0; i -= 1) {
			const match = /^\{"event":"bench\.probe","port":(\d+)/.exec(lines[i] as string);
			if (match) return `http://127.0.0.1:${match[1]}`;
		}
		throw new Error('bench: the server probe did not announce its port');
	};
	return {
		process: server,
		async metrics({ gc = false } = {}) {
			const response = await fetch(`${probeUrl()}/metrics${gc ? '?gc=1' : ''}`);
			return (await response.json()) as ProbeMetrics;
		},
		async resetLoopStats() {
			await fetch(`${probeUrl()}/reset`);
		},
		async profile(ms) {
			return (await (await fetch(`${probeUrl()}/profile?ms=${ms}`)).json()) as ProfileSummary;
		},
		proc: () => procSample(server.pid),
		async connections() {
			// A server busy accepting thousands of sockets may answer one health check with an
			// error (a 408 from its header timeout, say); ask again rather than end the benchmark.
			for (let attempt = 1; ; attempt += 1) {
				const response = await fetch(`${server.url}/healthz`);
				const text = await response.text();
				try {
					return (JSON.parse(text) as { connections: number }).connections;
				} catch (error) {
					if (attempt >= 5) {
						throw new Error(`bench: /healthz answered ${response.status} "${text}"`, {
							cause: error
						});
					}
					await new Promise((resolve) => setTimeout(resolve, 500));
				}
			}
		}
	};
}

/** The bare `ws` floor (./floor-server.ts), measured like the real server. */
export function startFloorServer(): Promise<BenchServer> {
	return startBenchServer({}, 'bench/floor-server.ts');
}

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat's CPU times (CLK_TCK; 100 on Linux). */
function clockTicks(): number {
	if (ticksPerSecond === undefined) {
		try {
			ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
		} catch {
			ticksPerSecond = 100;
		}
	}
	return ticksPerSecond;
}

/** CPU time, RSS and open files of a process, from /proc (Linux only). */
export function procSample(pid: number): ProcSample {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	// Fields after the command name, which is in parentheses and may contain spaces.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const utime = Number(fields[11]);
	const stime = Number(fields[12]);
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
	return {
		cpuSeconds: (utime + stime) / clockTicks(),
		rssBytes: kb('VmRSS') * 1024,
		peakRssBytes: kb('VmHWM') * 1024,
		openFiles: readdirSync(`/proc/${pid}/fd`).length
	};
}
