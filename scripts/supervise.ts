/**
 * Restarts without a gap: `node build/supervisor.js` holds the listening port and runs the server
 * (`build/server.js`, the same settings) in a worker process through Node's cluster module.
 *
 * - SIGHUP reloads: a new worker starts from the build as it is now; once it listens, the old one
 *   closes every socket with 1012 and exits. The port never stops accepting, so the clients'
 *   reconnects (0.75-1 s after the 1012) find the new worker instead of a refused connection.
 * - SIGTERM/SIGINT stop the workers the same way (1012), then the supervisor exits.
 * - A worker that dies on its own is replaced; one that cannot start ends the supervisor (exit 1)
 *   unless an older worker is still serving, which then keeps serving.
 * - If the supervisor itself is killed, its workers exit at once (the cluster module does that
 *   when their channel closes), as the single process would have.
 *
 * Through tsx (the tests) it runs scripts/serve.ts; compiled, build/server.js next to it.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { loadDotEnv } from '../src/lib/server/dotenv';
import { createLogger } from '../src/lib/server/log';
import {
	isWorkerMessage,
	TAKEOVER_ENV,
	type SupervisorMessage
} from '../src/lib/server/supervision';

loadDotEnv();
const log = createLogger(process.env.LOG_LEVEL?.trim() || 'info').child({ role: 'supervisor' });

// The workers accept from the shared listening socket themselves. With round-robin (Linux's
// default) the supervisor would accept every connection and pass it over IPC: a hop per client.
cluster.schedulingPolicy = cluster.SCHED_NONE;
cluster.setupPrimary({
	exec: fileURLToPath(
		new URL(import.meta.url.endsWith('.ts') ? './serve.ts' : './server.js', import.meta.url)
	)
});

/** The worker serving now, and the one starting to replace it (during a reload). */
let serving: Worker | undefined;
let starting: Worker | undefined;
/** Workers that have said they listen (so they also handle messages). */
const listened = new WeakSet<Worker>();
/** Workers started beside another, which recover the store only once they are alone. */
const notRecovered = new WeakSet<Worker>();
/** Workers told to stop, until they exit. */
const retiring = new Set<Worker>();
/** The port the workers bound. */
let boundPort: number | undefined;
/**
 * The PORT a new worker asks for. The cluster module shares one listening socket between workers
 * that ask for the same address and port, so while one is alive a new one asks as it did (PORT=0
 * included); once none is, for the port they had. (With PORT=0, a worker forked while another
 * lived that listens only after it died gets a new port: production gives a fixed PORT.)
 */
let portRequest: string | undefined;
let stopping = false;
let exitCode = 0;

function start(takeover: boolean): Worker {
	if (alive().length === 0 && boundPort !== undefined) portRequest = String(boundPort);
	const worker = cluster.fork({
		...(portRequest === undefined ? {} : { PORT: portRequest }),
		...(takeover ? { [TAKEOVER_ENV]: '1' } : {})
	});
	worker.on('message', (message: unknown) => {
		if (isWorkerMessage(message)) listening(worker, message.port);
	});
	worker.once('exit', (code, signal) => exited(worker, code, signal));
	if (takeover) notRecovered.add(worker);
	return worker;
}

function alive(): Worker[] {
	return Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
}

function retire(worker: Worker): void {
	retiring.add(worker);
	// One that does not listen yet serves nobody, and may not handle messages yet.
	if (listened.has(worker)) worker.send({ type: 'talkline.stop' } satisfies SupervisorMessage);
	else worker.process.kill('SIGTERM');
}

/**
 * The one worker left may recover the store: nobody else's replies are open any more. (A worker
 * started alone recovered before it listened.)
 */
function recoverIfAlone(): void {
	const [only, ...others] = alive();
	if (!only || others.length > 0 || !notRecovered.has(only)) return;
	if (!listened.has(only) || !only.isConnected()) return;
	notRecovered.delete(only);
	only.send({ type: 'talkline.recover' } satisfies SupervisorMessage);
}

function listening(worker: Worker, port: number): void {
	listened.add(worker);
	boundPort = port;
	if (worker !== starting) return;
	starting = undefined;
	const previous = serving;
	serving = worker;
	if (stopping) retire(worker);
	else if (previous) {
		log.info(
			{ event: 'supervisor.reloaded', pid: worker.process.pid, previous: previous.process.pid },
			'the new worker listens; the old one closes its sockets'
		);
		retire(previous);
	}
	recoverIfAlone();
}

function exited(worker: Worker, code: number | null, signal: string | null): void {
	const planned = retiring.delete(worker);
	const neverListened = worker === starting;
	if (neverListened) starting = undefined;
	if (worker === serving) serving = undefined;
	const clean = code === 0 && signal === null;
	if (!planned || !clean) {
		log.error(
			{ event: 'supervisor.worker-exited', pid: worker.process.pid, code, signal },
			neverListened ? 'a new worker exited before it listened' : 'a worker exited'
		);
	}
	if (stopping) {
		if (!clean) exitCode = 1;
		if (alive().length === 0) process.exit(exitCode);
		return;
	}
	if (neverListened && !planned && !serving) {
		log.fatal({ event: 'supervisor.start-failed' }, 'the server could not start');
		process.exit(1);
	}
	// It died on its own (a crash, the OOM killer): another starts, and recovers the store.
	if (!planned && !neverListened && !serving && !starting) starting = start(alive().length > 0);
	recoverIfAlone();
}

function reload(): void {
	if (stopping || !serving) return;
	if (starting) {
		log.warn({ event: 'supervisor.reload-busy' }, 'a reload is already under way');
		return;
	}
	log.info({ event: 'supervisor.reload', pid: serving.process.pid }, 'reloading');
	starting = start(true);
}

function stop(signal: NodeJS.Signals): void {
	if (stopping) return;
	stopping = true;
	log.info({ event: 'supervisor.stopping', signal }, 'stopping the workers');
	for (const worker of alive()) retire(worker);
	if (alive().length === 0) process.exit(exitCode);
}

process.on('SIGHUP', reload);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

starting = start(false);
log.info({ event: 'supervisor.started', pid: process.pid }, 'supervisor started');
