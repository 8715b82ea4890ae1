/**
 * A real `redis-server` (Debian's package) for tests and benchmarks: started on a free port in a
 * temporary folder with persistence off, stopped at the end. `stop()` and `start()` again (same port) let a
 * test take Redis away and bring it back.
 *
 * ```ts
 * const redis = redisAvailable() ? await startRedisServer() : undefined;
 * // redis.url -> 'redis://127.0.0.1:40123'
 * await redis.stop();   // Redis goes down (SIGTERM, waited for)
 * await redis.start();  // and comes back, empty, on the same port
 * redis.pause();        // Redis hangs (SIGSTOP): connections stay, nothing answers
 * redis.unpause();      // and answers again, with everything it had
 * ```
 *
 * Where `redis-server` is missing, Redis suites skip with one line saying how to install it
 * (`describeWithRedis` in tests/support/redis-server.ts); under `CI=true` they fail instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Where Debian's package puts it; REDIS_SERVER overrides. */
export const REDIS_SERVER_BIN = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

export interface TestRedis {
	readonly port: number;
	/** redis://127.0.0.1:<port> */
	readonly url: string;
	/** Starts it (again) on the same port; resolves once it accepts connections. */
	start(): Promise<void>;
	/** Stops it and waits for the exit; safe to call twice. */
	stop(): Promise<void>;
	/** Freezes it (SIGSTOP): a slow Redis. */
	pause(): void;
	/** Lets it go on (SIGCONT). */
	unpause(): void;
}

/** Whether `redis-server` can be run here. */
export function redisAvailable(): boolean {
	return existsSync(REDIS_SERVER_BIN);
}

/** How to get it, for the line a skipped or failing suite prints. */
export const REDIS_INSTALL_HINT = `${REDIS_SERVER_BIN} not found (install it: apt-get install redis-server)`;

/** Temporary folders of the servers started here, removed when the process exits. */
const tempDirs: string[] = [];
process.once('exit', () => {
	for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = net.createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as net.AddressInfo;
			probe.close(() => resolve(port));
		});
	});
}

/** Starts a redis-server on a free port; call `stop()` in `afterAll`. */
export async function startRedisServer(): Promise<TestRedis> {
	if (!redisAvailable()) throw new Error(REDIS_INSTALL_HINT);
	const port = await freePort();
	const dir = mkdtempSync(path.join(tmpdir(), 'talkline-redis-'));
	tempDirs.push(dir);
	let child: ChildProcess | undefined;
	let exited: Promise<void> = Promise.resolve();
	let output = '';

	const start = async (): Promise<void> => {
		if (child) return;
		const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly'];
		args.push('no', '--dir', dir);
		const started = spawn(REDIS_SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		child = started;
		exited = new Promise((resolve) => started.once('exit', () => resolve()));
		void exited.then(() => {
			if (child === started) child = undefined;
		});
		started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const deadline = Date.now() + 10_000;
		while (!(await accepts(port))) {
			if (!child || Date.now() > deadline)
				throw new Error(`redis-server did not start on port ${port}:\n${output}`);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	};

	const stop = async (): Promise<void> => {
		const running = child;
		if (!running) return;
		running.kill('SIGCONT'); // a paused one could not stop
		running.kill('SIGTERM');
		await exited;
	};

	const signal = (name: NodeJS.Signals) => () => {
		if (!child) throw new Error('redis-server is not running');
		child.kill(name);
	};

	await start();
	return {
		port,
		url: `redis://127.0.0.1:${port}`,
		start,
		stop,
		pause: signal('SIGSTOP'),
		unpause: signal('SIGCONT')
	};
}

/** Whether something answers a Redis PING on `port`. */
function accepts(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.once('error', () => resolve(false));
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.once('data', (data) => {
			socket.destroy();
			resolve(data.toString().startsWith('+PONG'));
		});
	});
}
