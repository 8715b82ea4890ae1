/**
 * The server under test: the real `scripts/serve.ts` (through `startServerProcess`), with the
 * read-only probe of ./server-probe.ts loaded into it and `--expose-gc`, plus what Linux tells
 * about the process in /proc (CPU time, RSS, open files), which needs nothing from the server.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import type { ProbeMetrics, ProfileSummary } from './server-probe';

const probePath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server-probe.ts');

/** The probe as JavaScript in `dir` (esbuild; it imports only Node's own modules). */
function compiledProbe(dir: string): string {
	const outfile = path.join(dir, 'server-probe.mjs');
	buildSync({
		entryPoints: [probePath],
		outfile,
		format: 'esm',
		platform: 'node',
		logLevel: 'error'
	});
	return outfile;
}

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
	/**
	 * A V8 CPU profile of the server's main thread over the next `ms`, summarized; `saveTo`
	 * also writes the whole profile there (a .cpuprofile for Chrome's DevTools).
	 */
	profile(ms: number, saveTo?: string): Promise<ProfileSummary>;
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
	script?: string,
	/**
	 * Run the compiled server in `cwd` (a copy of the build), as production does:
	 * build/server.js, or `script` (build/supervisor.js, say) when given.
	 */
	compiled?: { cwd: string }
): Promise<BenchServer> {
	const server = await startServerProcess({
		script,
		cwd: compiled?.cwd,
		compiled: compiled !== undefined,
		env: {
			// Through tsx, tsx first, so that the probe (TypeScript) can load; the server's own
			// --import tsx then finds it registered already. The compiled server gets the probe
			// compiled to JavaScript instead: tsx's import hooks, once registered, sit in front of
			// every module the server loads and doubled its start-up (1.1 s -> 2.7-3.9 s at load 16).
			NODE_OPTIONS: compiled
				? `--expose-gc --import ${pathToFileURL(compiledProbe(compiled.cwd)).href}`
				: `--expose-gc --import tsx --import ${probePath}`,
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
		async profile(ms, saveTo) {
			const save = saveTo ? `&save=${encodeURIComponent(saveTo)}` : '';
			return (await (
				await fetch(`${probeUrl()}/profile?ms=${ms}${save}`)
			).json()) as ProfileSummary;
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
