/**
 * Runs the real server (`scripts/serve.ts`, the production entry) as a child process, for server
 * tests and Playwright tests that need to stop, kill or restart it.
 *
 * ```ts
 * import { startServerProcess } from '../../support/server-process';
 *
 * const server = await startServerProcess({ env: { PING_INTERVAL_MS: '500' } });
 * // server.url       -> 'http://127.0.0.1:41234'   (page and /healthz)
 * // server.wsUrl(id) -> 'ws://127.0.0.1:41234/ws/<id>'
 * await server.kill();     // SIGKILL, like a crash; resolves with { code, signal }
 * await server.restart();  // same port, same env (so clients can reconnect to the same URL)
 * const exit = await server.stop(); // SIGTERM (default) and wait: { code: 0, signal: null }
 * ```
 *
 * - `port`: omit it (or 0) to get a free port, chosen by the server itself and read from its log.
 * - Without `build/handler.js` the server serves only `/healthz` and `/ws` (enough for socket
 *   tests); run `npm run build` first when the page is needed (Playwright's webServer does).
 * - `env` is added to this process's environment; pass `undefined` to remove a variable.
 * - The server logs at LOG_LEVEL=info unless `env` says otherwise (keep it info or lower: the
 *   helper reads the port from the log).
 * - `output()` is everything the server printed (JSON log lines), for assertions and debugging.
 * - The store: SQLite in `server.dataDir`, a fresh temporary folder per `startServerProcess` that
 *   survives `restart()` and `kill()` (so a restart finds the same file) and is removed when the
 *   test process exits. Pass `env.DATA_DIR` to choose the folder, or `env.STORE: 'memory'`.
 * - Always `stop()` or `kill()` in `afterEach`/`afterAll`; both are safe to call twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ServerProcessOptions {
	/** Port to listen on; 0 or omitted picks a free one. */
	port?: number;
	/** Interface; 127.0.0.1 by default. */
	host?: string;
	/** Extra environment (undefined removes a variable). */
	env?: Record<string, string | undefined>;
	/** Longest wait for /healthz after start; 30 s by default. */
	startTimeoutMs?: number;
	/**
	 * The entry to run, relative to `cwd`: `scripts/serve.ts` by default, `build/server.js` when
	 * `compiled` (the supervisor and the benchmarks' floor run others).
	 */
	script?: string;
	/** Repository root (where scripts/serve.ts is); found from this file by default. */
	cwd?: string;
	/**
	 * Runs the compiled server, `node build/server.js`, as production does (needs `npm run build`;
	 * Playwright's webServer makes it), instead of scripts/serve.ts through tsx. It also starts
	 * faster on a busy machine: nothing to compile.
	 */
	compiled?: boolean;
}

export interface ExitInfo {
	code: number | null;
	signal: NodeJS.Signals | null;
}

export interface ServerProcess {
	readonly port: number;
	/** http://host:port */
	readonly url: string;
	/** ws://host:port/ws/<clientId> */
	wsUrl(clientId: string): string;
	/** The child's pid (changes on restart). */
	readonly pid: number;
	/** Exit of the current child, once it has exited (null while running). */
	readonly exit: ExitInfo | null;
	/** Sends `signal` (SIGTERM by default) and waits for the exit. */
	stop(signal?: NodeJS.Signals): Promise<ExitInfo>;
	/** SIGKILL: the server dies at once, as in a crash or `kill -9`. */
	kill(): Promise<ExitInfo>;
	/** Stops (SIGTERM, unless already exited) and starts again on the same port and env. */
	restart(): Promise<void>;
	/** All stdout and stderr of every run so far. */
	output(): string;
	/** The server's DATA_DIR (where its SQLite store lives). */
	readonly dataDir: string;
}

/** Temporary data folders made here, removed when the test process exits. */
const tempDataDirs: string[] = [];
process.once('exit', () => {
	for (const dir of tempDataDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDataDir(): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'talkline-data-'));
	tempDataDirs.push(dir);
	return dir;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Starts `scripts/serve.ts` and resolves once `/healthz` answers 200. */
export async function startServerProcess(
	options: ServerProcessOptions = {}
): Promise<ServerProcess> {
	const host = options.host ?? '127.0.0.1';
	let output = '';
	let child: ChildProcess;
	let exited: Promise<ExitInfo>;
	let exit: ExitInfo | null = null;
	let port = options.port ?? 0;
	const dataDir = options.env?.DATA_DIR ?? tempDataDir();

	const launch = async (): Promise<void> => {
		exit = null;
		// LOG_LEVEL info at least: the port is read from the `server.listening` line.
		const env: Record<string, string | undefined> = {
			...process.env,
			PORT: String(port),
			HOST: host,
			LOG_LEVEL: 'info',
			DATA_DIR: dataDir,
			...options.env
		};
		const from = output.length;
		for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
		const entry = options.compiled
			? [options.script ?? 'build/server.js']
			: ['--import', 'tsx', options.script ?? 'scripts/serve.ts'];
		child = spawn(process.execPath, entry, {
			cwd: options.cwd ?? repoRoot,
			env,
			stdio: ['ignore', 'pipe', 'pipe']
		});
		const current = child;
		exited = new Promise((resolve) => {
			current.once('exit', (code, signal) => {
				exit = { code, signal };
				resolve(exit);
			});
		});
		current.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		current.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		port = await listeningPort(
			() => output.slice(from),
			exited,
			port,
			options.startTimeoutMs ?? 30_000
		);
		await waitForHealth(`http://${host}:${port}/healthz`, exited, options.startTimeoutMs ?? 30_000);
	};

	const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitInfo> => {
		if (exit) return exit;
		child.kill(signal);
		return exited;
	};

	await launch();
	return {
		get port() {
			return port;
		},
		get url() {
			return `http://${host}:${port}`;
		},
		wsUrl: (clientId) => `ws://${host}:${port}/ws/${encodeURIComponent(clientId)}`,
		get pid() {
			return child.pid ?? -1;
		},
		get exit() {
			return exit;
		},
		stop,
		kill: () => stop('SIGKILL'),
		restart: async () => {
			await stop();
			await launch();
		},
		output: () => output,
		dataDir
	};
}

/** The port from the server's `server.listening` log line (needed when it picked one). */
function listeningPort(
	output: () => string,
	exited: Promise<ExitInfo>,
	requested: number,
	timeoutMs: number
): Promise<number> {
	return poll(
		() => {
			const listening = output()
				.split('\n')
				.map(parseLine)
				.find((line) => line?.event === 'server.listening');
			return typeof listening?.port === 'number' ? listening.port : undefined;
		},
		{ exited, timeoutMs, everyMs: 25 },
		{
			exited: () => `The server exited before listening:\n${output()}`,
			late: () =>
				`The server did not listen within ${timeoutMs} ms (port ${requested}):\n${output()}`
		}
	);
}

async function waitForHealth(
	url: string,
	exited: Promise<ExitInfo>,
	timeoutMs: number
): Promise<void> {
	await poll(
		async () => {
			try {
				return (await fetch(url)).status === 200 ? true : undefined;
			} catch {
				return undefined; // not up yet
			}
		},
		{ exited, timeoutMs, everyMs: 50 },
		{
			exited: () => `The server exited before ${url} answered`,
			late: () => `${url} did not answer 200 within ${timeoutMs} ms`
		}
	);
}

/**
 * Asks `probe` every `everyMs` until it gives a value; fails with the `exited` message once the
 * server has exited, with the `late` one after `timeoutMs`.
 */
async function poll<T>(
	probe: () => T | undefined | Promise<T | undefined>,
	{ exited, timeoutMs, everyMs }: { exited: Promise<ExitInfo>; timeoutMs: number; everyMs: number },
	failure: { exited: () => string; late: () => string }
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let gone = false;
	void exited.then(() => (gone = true));
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (gone) throw new Error(failure.exited());
		if (Date.now() > deadline) throw new Error(failure.late());
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}

function parseLine(line: string): Record<string, unknown> | undefined {
	try {
		return JSON.parse(line) as Record<string, unknown>;
	} catch {
		return undefined;
	}
}
