/**
 * Server start-up: the compiled server (`node build/server.js`, as `npm start` runs it, from a
 * copy of the build) started alone, again and again, each time with a fresh SQLite folder. Times
 * from the spawn to its `server.listening` log line (the socket accepts from then on) and to the
 * first answered page. After a restart every client waits for this; the first reconnect comes
 * 0.75-1 s after the drop, so a start-up under that catches the first attempts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyBuild } from './browser-build';
import type { BenchOptions } from './options';
import { summarize } from './stats';
import { fmt, type Table } from './table';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PORT = 8197;

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
			`The compiled server from a copy of the build of ${build.builtAt.toISOString().slice(0, 16)}Z, each start with a new SQLite folder and port ${PORT}; stopped with SIGKILL after the first page.`,
			"Listening: the `server.listening` log line, read from its stdout. The app's code (adapter-node's handler) loads after it; node-redis only with REDIS_URL."
		]
	};
}

async function startOnce(cwd: string): Promise<StartTimes> {
	const dataDir = mkdtempSync(path.join(tmpdir(), 'talkline-startup-'));
	const started = performance.now();
	const child = spawn(process.execPath, ['build/server.js'], {
		cwd,
		env: {
			...process.env,
			PORT: String(PORT),
			HOST: '127.0.0.1',
			DATA_DIR: dataDir,
			LOG_LEVEL: 'info'
		},
		stdio: ['ignore', 'pipe', 'inherit']
	});
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	try {
		const listeningMs = await new Promise<number>((resolve, reject) => {
			let output = '';
			child.stdout.on('data', (chunk: Buffer) => {
				output += chunk.toString();
				if (output.includes('"event":"server.listening"')) resolve(performance.now() - started);
			});
			void exited.then(() =>
				reject(new Error(`build/server.js exited before listening:\n${output}`))
			);
		});
		const response = await fetch(`http://127.0.0.1:${PORT}/`);
		await response.text();
		return { listeningMs, firstPageMs: performance.now() - started };
	} finally {
		child.kill('SIGKILL');
		await exited;
		rmSync(dataDir, { recursive: true, force: true });
	}
}
