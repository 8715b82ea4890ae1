/**
 * Server start-up: the compiled server (`node build/server.js`, as `npm start` runs it, from a
 * copy of the build) started alone, again and again, each time with a fresh SQLite folder. Times
 * from the spawn to its `server.listening` log line (the socket accepts from then on) and to the
 * first answered page. After a restart every client waits for this; the first reconnect comes
 * 0.75-1 s after the drop, so a start-up under that catches the first attempts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerProcess } from '../support/server-process';
import { copyBuild } from './browser-build';
import type { BenchOptions } from './options';
import { summarize } from './stats';
import { fmt, type Table } from './table';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface StartTimes {
	listeningMs: number;
	firstPageMs: number;
}

export async function runStartup(
	options: BenchOptions,
	log: (line: string) => void
): Promise<Table> {
	const build = copyBuild(root);
	if (!build) throw new Error('No build/: run npm run build first');
	const runs = options.quick ? 5 : 11;
	const samples: StartTimes[] = [];
	try {
		for (let run = 0; run < runs; run += 1) samples.push(await startOnce(build.dir));
	} finally {
		build.remove();
	}
	log(`startup: ${runs} starts`);
	const listening = summarize(samples.map((s) => s.listeningMs));
	const page = summarize(samples.map((s) => s.firstPageMs));
	const ms = (value: number) => fmt(value, 'ms');
	return {
		title: `Server start-up: ${runs} starts of build/server.js, one at a time, no clients`,
		columns: ['median', 'max'],
		rows: [
			{ figure: 'spawn to listening', value: ms(listening.p50), more: [ms(listening.max)] },
			{ figure: 'spawn to the first page served', value: ms(page.p50), more: [ms(page.max)] }
		],
		notes: [
			`The compiled server from a copy of the build of ${build.builtAt.toISOString().slice(0, 16)}Z, started by support/server-process.ts, each start with a new SQLite folder; stopped with SIGKILL after the first page.`,
			"Listening: the time stamp of the `server.listening` log line. The first page is asked for once /healthz has answered (polled every 50 ms). The app's code (adapter-node's handler) loads after the listen; node-redis only with REDIS_URL."
		]
	};
}

async function startOnce(cwd: string): Promise<StartTimes> {
	const started = Date.now();
	const server = await startServerProcess({ compiled: true, cwd });
	try {
		const response = await fetch(`${server.url}/`);
		await response.text();
		const firstPageMs = Date.now() - started;
		const listening = server
			.output()
			.split('\n')
			.find((line) => line.includes('"event":"server.listening"'));
		const { time } = JSON.parse(listening ?? '{}') as { time?: number };
		if (time === undefined) throw new Error(`No server.listening line:\n${server.output()}`);
		return { listeningMs: time - started, firstPageMs };
	} finally {
		await server.kill();
	}
}
