/**
 * `npm start` as a container runtime, systemd or Render runs it: the signal goes to the npm
 * process, not to the server. npm passes it to the shell it ran the script in, which dies of it;
 * the server must still close every socket with 1012 and exit, leaving no process and a free port.
 *
 * Skipped on Windows: there is no SIGTERM to send to a process there (Node's `kill` ends it at
 * once), and Ctrl+C reaches every process of the console, the server included, so the path this
 * test guards (a signal that stops at the shell) does not exist.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/server-client';
import { makeTempDir, removeTempDirs } from '../support/temp-dir';
import { isRunning } from '../support/process-alive';

const CLIENTS = 20;

/** The environment of a person's shell: none of Vitest's variables (NODE_ENV=test among them). */
function shellEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (key === 'NODE_ENV' || key.startsWith('VITEST') || key === 'TEST') continue;
		env[key] = value;
	}
	return { ...env, ...extra };
}

async function portIsFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const probe = net.createServer();
		probe.once('error', () => resolve(false));
		probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
}

describe.skipIf(process.platform === 'win32')('npm start', () => {
	let npmPid: number | undefined;
	let serverPid: number | undefined;
	afterAll(() => {
		// A failed run must not leave a server behind (its parent may be gone already).
		for (const pid of [serverPid, npmPid]) if (pid && isRunning(pid)) process.kill(pid, 'SIGKILL');
		removeTempDirs();
	});

	// Builds first when the build is missing or stale (a minute or more on a busy machine).
	it(
		'on SIGTERM to npm itself: every client gets 1012, the process tree exits, the port is free',
		{ timeout: 300_000 },
		async () => {
			const npm = spawn('npm', ['start'], {
				env: shellEnv({
					PORT: '0',
					HOST: '127.0.0.1',
					DATA_DIR: makeTempDir(),
					LOG_LEVEL: 'info'
				}),
				stdio: ['ignore', 'pipe', 'pipe']
			});
			npmPid = npm.pid;
			let output = '';
			npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
			npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
			const npmExit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
				npm.once('exit', (code, signal) => resolve({ code, signal }))
			);

			const ready = await new Promise<{ port: number; pid: number }>((resolve, reject) => {
				const look = () => {
					const line = output.split('\n').find((text) => text.includes('"event":"server.ready"'));
					if (line) {
						const { url, pid } = JSON.parse(line) as { url: string; pid: number };
						resolve({ port: Number(new URL(url).port), pid });
					}
				};
				npm.stdout.on('data', look);
				void npmExit.then(() => reject(new Error(`npm start exited before serving:\n${output}`)));
			});
			serverPid = ready.pid;
			expect(ready.pid).not.toBe(npm.pid); // the server is not npm: the signal has a way to go

			const clients = await Promise.all(
				Array.from({ length: CLIENTS }, (_, i) =>
					connectClient(`ws://127.0.0.1:${ready.port}/ws/npm-start-${i}`)
				)
			);
			npm.kill('SIGTERM');

			const closes = await Promise.race([
				Promise.all(clients.map((client) => client.closed)),
				new Promise<never>((_, reject) =>
					setTimeout(
						() => reject(new Error(`no close within 30 s of the SIGTERM:\n${output}`)),
						30_000
					)
				)
			]);
			expect(closes).toEqual(clients.map(() => ({ code: 1012, reason: 'service restart' })));
			await npmExit;
			await expect.poll(() => isRunning(ready.pid), { timeout: 15_000 }).toBe(false);
			expect(await portIsFree(ready.port)).toBe(true);
			expect(output).toMatch(/"event":"server\.stopping","signal":"SIGTERM"/);
		}
	);
});
