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
	/** Stops accepting, interrupts replies, closes every socket with 1012. Safe to call twice. */
	close(): Promise<void>;
}

/** How often the store drops what is past its age limit. */
const SWEEP_INTERVAL_MS = 10 * 60_000;

/**
 * Builds the socket server. Nothing listens until its upgrade handler is attached somewhere.
 * Opens the store (a StoreOpenError if its file cannot be used) and recovers it: replies left
 * open by a crash are marked interrupted. One server per store file.
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
	void prepareStore(store, log);
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

	const close = (): Promise<void> => {
		closing ??= (async () => {
			accepting = false;
			clearInterval(sweeper);
			await conversations.stopAll(); // each open reply ends with reply.interrupted
			await closeAllSockets(wss, registry, config.shutdownGraceMs);
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
		close
	};
}

/**
 * After a start: close the replies a crash left open, drop what is too old. Never fails the
 * start: a client id whose data cannot be recovered is logged with its id and left as it is.
 */
async function prepareStore(store: MessageStore, log: Logger): Promise<void> {
	let report: Awaited<ReturnType<MessageStore['recover']>>;
	try {
		report = await store.recover();
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

/** Closes every socket with 1012, terminating the stragglers after `graceMs`, then the ws server. */
async function closeAllSockets(
	wss: WebSocketServer,
	registry: Registry<Session>,
	graceMs: number
): Promise<void> {
	for (const session of registry.all()) {
		session.close(CLOSE.serviceRestart, CLOSE_REASON.serviceRestart);
	}
	const sockets = [...wss.clients];
	for (const ws of sockets) {
		// Sockets without a session: an invalid id being closed, a replaced one still closing.
		if (ws.readyState === ws.OPEN) ws.close(CLOSE.serviceRestart, CLOSE_REASON.serviceRestart);
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
