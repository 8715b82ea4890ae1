/**
 * The Talkline socket server without an HTTP server of its own: the `ws` server (noServer),
 * the upgrade handler, connections, conversations, store and brain, and graceful shutdown.
 * Production wraps it in an HTTP server (./http-server); in development the Vite plugin hands it
 * the upgrades of Vite's own server.
 */
import { WebSocketServer } from 'ws';
import { CLOSE, CLOSE_REASON } from '../protocol/limits';
import { AcceptQueue } from './accept-queue';
import { ArrivalQueue } from './ownership';
import { createBrain } from './brain/index';
import type { Brain } from './brain/types';
import { resolveConfig, type ServerConfig } from './config';
import { ClientHistory, connectionFacts, createConnectionHandler } from './connections';
import { Conversations } from './conversations';
import { createLogger, type Logger } from './log';
import { countRefusal } from './metrics';
import { RateLimiters } from './rate-limiter';
import { Registry } from './registry';
import { TalklineSocket } from './talkline-socket';
import type { Session } from './session';
import type { MessageStore, SyncMessageStore } from './store/message-store';
import { openStore, type StoreBackend } from './store/open-store';
import { asyncStore, isSyncStore } from './store/sync-store';
import { localFanout } from './fanout';
import { createUpgradeHandler, type UpgradeHandler } from './upgrade';

export interface TalklineOptions {
	/** Overrides on top of the defaults (and of `env`, when given). */
	config?: Partial<ServerConfig>;
	/** Environment to read the configuration from; tests leave it out. */
	env?: Record<string, string | undefined>;
	logger?: Logger;
	/**
	 * The message store; by default the configured one (`config.store`: SQLite under DATA_DIR,
	 * memory, or Redis with REDIS_URL). A synchronous one (SqliteStore, MemoryStore) is wrapped.
	 * The server closes it on shutdown.
	 */
	store?: MessageStore | SyncMessageStore;
	/** The brain; from the configuration by default. */
	brain?: Brain;
	/**
	 * Recover the store (close the replies a crash left open) at once; true by default. A worker
	 * taking over from a live one passes false and calls `recover()` once that one has exited:
	 * until then the replies marked open are its predecessor's, still streaming.
	 */
	recoverAtStart?: boolean;
}

export interface Health {
	ok: boolean;
	/** Why the server cannot serve now (shutting down, the store unreachable), when it cannot. */
	reason?: string;
	/** Open sockets (including ones being closed). */
	connections: number;
	/** Client ids with a live connection. */
	clients: number;
	uptimeS: number;
}

export interface TalklineCore {
	readonly config: ServerConfig;
	readonly wss: WebSocketServer;
	readonly store: MessageStore;
	readonly brain: Brain;
	readonly log: Logger;
	/** Handles upgrades for `/ws/…`; returns false, untouched, for any other path. */
	readonly handleUpgrade: UpgradeHandler;
	health(): Health;
	/** Closes the replies a crash left open, then sweeps; once (later calls return the first). */
	recover(): Promise<void>;
	/**
	 * Stops accepting, interrupts replies, closes every socket with 1012. Safe to call twice.
	 * `handOver`: another worker already listens for these clients (a reload), so the sockets are
	 * closed at `handoverCloseRate` rather than all at once.
	 */
	close(options?: CloseOptions): Promise<void>;
}

export interface CloseOptions {
	handOver?: boolean;
}

/** How often the store drops what is past its age limit. */
const SWEEP_INTERVAL_MS = 10 * 60_000;

/**
 * Builds the socket server. Nothing listens until its upgrade handler is attached somewhere.
 * Opens the store (a StoreOpenError if its file cannot be used) and recovers it: replies left
 * open by a crash are marked interrupted (later, with `recoverAtStart: false`). One server per
 * store file, but for a reload's overlap (scripts/supervise.ts).
 */
export function createTalklineCore(options: TalklineOptions = {}): TalklineCore {
	const config = resolveConfig(options.config, options.env);
	const log = options.logger ?? createLogger(config.logLevel);
	if (!config.allowLocalhostOrigins && config.allowedOrigins.length === 0)
		log.warn(
			{ event: 'origin.none-allowed' },
			'NODE_ENV=production and neither ORIGIN nor ALLOWED_ORIGINS is set: browsers cannot open a socket'
		);
	const backend: StoreBackend = options.store
		? {
				store: isSyncStore(options.store) ? asyncStore(options.store) : options.store,
				fanout: localFanout,
				unavailable: () => undefined
			}
		: openStore(config, log);
	const { store, fanout } = backend;
	let recovered: Promise<void> | undefined;
	// A worker that recovers after taking over may be streaming replies of its own already.
	const recover = (): Promise<void> =>
		(recovered ??= prepareStore(store, log, (replyId) => conversations.runs(replyId)));
	const sweeper = setInterval(() => void sweep(store, log), SWEEP_INTERVAL_MS);
	sweeper.unref();
	const brain =
		options.brain ??
		createBrain(
			config,
			(clientId, failure) =>
				log.warn(
					{ event: 'brain.failed', clientId, kind: failure.kind, err: failure.message },
					'brain failed'
				),
			backend.history
		);
	const wss = new WebSocketServer({
		noServer: true,
		maxPayload: config.maxPayloadBytes,
		clientTracking: true,
		WebSocket: TalklineSocket // ws's own closes (1009, 1008, …) carry a reason
	});
	const registry = new Registry<Session>();
	const history = new ClientHistory();
	const startedAt = Date.now();
	let accepting = true;
	let closing: Promise<void> | undefined;

	const facts = connectionFacts(registry, history, startedAt);
	const conversations = new Conversations({ store, brain, registry, facts, log });
	if (options.recoverAtStart ?? true) void recover();
	const accepts = new AcceptQueue(store, (error) =>
		log.error({ event: 'accept.fault', err: error }, 'acting on an accepted message failed')
	);
	const arrivals = new ArrivalQueue(store, (error) =>
		log.error({ event: 'arrival.fault', err: error }, 'opening a connection failed')
	);
	const onConnection = createConnectionHandler({
		config,
		store,
		accepts,
		arrivals,
		log,
		registry,
		conversations,
		history,
		limiters: new RateLimiters(config.rateLimitPerSec, config.rateLimitBurst),
		fanout
	});

	const handleUpgrade = createUpgradeHandler({
		wss,
		originPolicy: config,
		isAccepting: () => accepting,
		onConnection,
		onRefused: (status, reason, req) => {
			if (status === 403) countRefusal('origin');
			else if (status === 503) countRefusal('unavailable');
			log.info(
				{
					event: 'upgrade.refused',
					status,
					reason,
					url: req.url?.slice(0, 120),
					origin: req.headers.origin
				},
				'upgrade refused'
			);
		}
	});

	const close = ({ handOver = false }: CloseOptions = {}): Promise<void> => {
		closing ??= (async () => {
			accepting = false;
			clearInterval(sweeper);
			await conversations.stopAll(); // each open reply ends with reply.interrupted
			await closeAllSockets(wss, registry, {
				graceMs: config.shutdownGraceMs,
				perSecond: handOver ? config.handoverCloseRate : 0
			});
			// Normally empty by now (closing sessions read no more frames); never lose one anyway.
			await accepts.flush();
			await arrivals.flush();
			await fanout.close();
			await store.close();
			log.info({ event: 'server.closed' }, 'socket server closed');
		})();
		return closing;
	};

	return {
		config,
		wss,
		store,
		brain,
		log,
		handleUpgrade,
		health: () => {
			const reason = accepting ? backend.unavailable() : 'shutting down';
			return {
				ok: reason === undefined,
				...(reason ? { reason } : {}),
				connections: wss.clients.size,
				clients: registry.size,
				uptimeS: Math.round((Date.now() - startedAt) / 1000)
			};
		},
		recover,
		close
	};
}

/**
 * After a start: close the replies a crash left open, drop what is too old. Never fails the
 * start: a client id whose data cannot be recovered is logged with its id and left as it is.
 */
async function prepareStore(
	store: MessageStore,
	log: Logger,
	streaming: (replyId: string) => boolean
): Promise<void> {
	let report: Awaited<ReturnType<MessageStore['recover']>>;
	try {
		report = await store.recover(streaming);
	} catch (error) {
		log.error({ event: 'store.recover-failed', err: error }, 'start-up recovery failed');
		report = { recovered: [], failed: [] };
	}
	for (const { clientId, replyId, seq } of report.recovered) {
		log.warn(
			{ event: 'reply.recovered', clientId, replyId, seq },
			'reply left open by the last run marked interrupted'
		);
	}
	for (const { clientId, error } of report.failed) {
		log.error(
			{ event: 'reply.recover-failed', clientId, err: error },
			'a reply left open by the last run could not be closed; this client id is left as it was'
		);
	}
	await sweep(store, log);
}

async function sweep(store: MessageStore, log: Logger): Promise<void> {
	try {
		await store.sweep();
	} catch (error) {
		log.error({ event: 'store.sweep-failed', err: error }, 'store retention sweep failed');
	}
}

/** How often, at most, a paced close sends its next group of close frames. */
const PACE_MS = 50;

/**
 * Closes every socket with 1012, terminating the stragglers after `graceMs`, then the ws server.
 * With `perSecond`, in groups at that rate (every PACE_MS, or one every 1/perSecond s): handed over to a worker that listens
 * already, their reconnects (0.75-1 s later) then come at that rate too, instead of overflowing
 * the kernel's accept queue (4,096) all at once. A dropped handshake ACK costs the client its TCP
 * retransmission backoff (seconds), and the header deadline answers it 408.
 */
async function closeAllSockets(
	wss: WebSocketServer,
	registry: Registry<Session>,
	{ graceMs, perSecond }: { graceMs: number; perSecond: number }
): Promise<void> {
	// A session closes its socket itself, so that its log line says why; the sockets without
	// one (an id not proved yet, an invalid id being closed, a replaced one) close directly.
	const sessionOf = new Map([...registry.all()].map((session) => [session.socket, session]));
	const sockets = [...wss.clients];
	const everyMs = perSecond > 0 ? Math.max(PACE_MS, 1000 / perSecond) : 0;
	const group = perSecond > 0 ? Math.round((perSecond * everyMs) / 1000) : Infinity;
	for (let from = 0; from < sockets.length; from += group) {
		if (from > 0) await new Promise((resolve) => setTimeout(resolve, everyMs));
		for (const ws of sockets.slice(from, from + group)) {
			const session = sessionOf.get(ws);
			if (session) session.close(CLOSE.serviceRestart, CLOSE_REASON.serviceRestart);
			else if (ws.readyState === ws.OPEN)
				ws.close(CLOSE.serviceRestart, CLOSE_REASON.serviceRestart);
		}
	}
	const closed = Promise.all(
		sockets.map((ws) =>
			ws.readyState === ws.CLOSED ? undefined : new Promise((resolve) => ws.once('close', resolve))
		)
	);
	let timer: ReturnType<typeof setTimeout> | undefined;
	const grace = new Promise<void>((resolve) => {
		timer = setTimeout(() => {
			for (const ws of sockets) ws.terminate();
			resolve();
		}, graceMs);
	});
	await Promise.race([closed, grace]);
	clearTimeout(timer);
	await closed;
	await new Promise<void>((resolve) => wss.close(() => resolve()));
}
