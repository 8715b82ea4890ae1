/**
 * The production entry: one Node process, one port, serving the built SvelteKit app
 * (adapter-node's handler), `GET /healthz`, `GET /metrics` and the WebSocket endpoint
 * `/ws/:clientId`. `npm run build` compiles it to `build/server.js`, which plain `node` runs;
 * the tests run this file through tsx. Settings come from the environment and `.env`.
 * SIGTERM/SIGINT: stop accepting, close every socket with 1012, exit 0 (forced after 10 s).
 * Without a build it still serves the socket and /healthz, and says so. It also runs as a worker
 * of scripts/supervise.ts, which holds the port across reloads (./supervise.ts says how).
 */
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadDotEnv } from '../src/lib/server/dotenv';
import {
	createTalklineServer,
	type AppHandler,
	type TalklineServer
} from '../src/lib/server/http-server';
import { setTalklineInstance } from '../src/lib/server/instance';
import { createLogger } from '../src/lib/server/log';
import { StoreOpenError } from '../src/lib/server/store/sqlite-store';
import {
	isSupervisorMessage,
	TAKEOVER_ENV,
	type WorkerMessage
} from '../src/lib/server/supervision';

/** Longest a shutdown may take before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 10_000;

// Before anything reads the environment (adapter-node's handler reads it when imported).
const envFile = loadDotEnv();

// `../build/handler.js` from scripts/serve.ts and from the compiled build/server.js alike.
const handlerPath = fileURLToPath(new URL('../build/handler.js', import.meta.url));
// Loaded while the socket already listens: after a restart every client is waiting to reconnect,
// and the app's code is not needed for that. Page requests meanwhile wait for it.
const appHandler: Promise<AppHandler> | undefined = existsSync(handlerPath)
	? import(pathToFileURL(handlerPath).href).then(
			(module: { handler: AppHandler }) => module.handler
		)
	: undefined;
const handler: AppHandler | undefined = appHandler
	? (req, res, next) => void appHandler.then((loaded) => loaded(req, res, next))
	: undefined;

// A worker started by a reload shares the store with the worker it replaces, whose replies are
// still streaming: it recovers the store only once the supervisor says that one has exited.
const takingOver = cluster.isWorker && process.env[TAKEOVER_ENV] === '1';
const server = createServerOrExit();
const { log } = server.core;
setTalklineInstance(server.core);
if (envFile) log.info({ event: 'env.loaded', file: envFile }, 'settings read from .env');
if (!appHandler)
	log.warn(
		{ event: 'app.missing' },
		'No build/handler.js: serving only /healthz and /ws (run npm run build)'
	);
appHandler?.catch((error: unknown) => {
	log.fatal({ event: 'app.load-failed', err: error }, 'the app could not be loaded');
	process.exit(1);
});

process.on('unhandledRejection', (error) =>
	log.error({ event: 'unhandled', err: error }, 'unhandled rejection')
);

let stopping = false;
function shutdown(signal: NodeJS.Signals | 'supervisor'): void {
	if (stopping) return;
	stopping = true;
	log.info({ event: 'server.stopping', signal }, 'shutting down');
	setTimeout(() => {
		log.error({ event: 'server.stop-timeout' }, 'shutdown took too long; exiting');
		process.exit(1);
	}, SHUTDOWN_DEADLINE_MS).unref();
	// From the supervisor: the next worker listens already, and takes these clients over.
	server.close({ handOver: signal === 'supervisor' }).then(
		() => process.exit(0),
		(error: unknown) => {
			log.error({ event: 'server.stop-failed', err: error }, 'shutdown failed');
			process.exit(1);
		}
	);
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
if (cluster.isWorker) {
	process.on('message', (message: unknown) => {
		if (!isSupervisorMessage(message)) return;
		if (message.type === 'talkline.stop') shutdown('supervisor');
		else void server.core.recover();
	});
}

const { port, host } = await server.listen();
const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
log.info(
	{ event: 'server.ready', url: `http://${shown}:${port}`, pid: process.pid },
	`Talkline on http://${shown}:${port}`
);
if (cluster.isWorker) process.send?.({ type: 'talkline.listening', port } satisfies WorkerMessage);

/**
 * The server, or a clear message and exit 1 when it cannot start (a store file that cannot be
 * opened, a bad setting): one readable line, not a bare stack trace.
 */
function createServerOrExit(): TalklineServer {
	try {
		return createTalklineServer({ env: process.env, handler, recoverAtStart: !takingOver });
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		const log = createLogger(process.env.LOG_LEVEL?.trim() || 'info');
		if (error instanceof StoreOpenError) {
			log.fatal({ event: 'store.unavailable', file: error.file, reason: message }, message);
		} else {
			log.fatal({ event: 'server.start-failed', err: error }, message);
		}
		process.stderr.write(`Talkline could not start: ${message}\n`);
		process.exit(1);
	}
}
