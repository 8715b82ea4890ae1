/**
 * The Talkline socket server without an HTTP server of its own: the `ws` server (noServer),
 * the upgrade handler, connections, conversations, store and brain, and graceful shutdown.
 * Production wraps it in an HTTP server (./http-server); in development the Vite plugin hands it
 * the upgrades of Vite's own server.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE, CLOSE_REASON } from '../protocol/limits';
import { createBrain } from './brain/index';
import type { Brain, ConnectionFacts } from './brain/types';
import { resolveConfig, type ServerConfig } from './config';
import { Conversation } from './conversation';
import { createLogger, type Logger } from './log';
import { handleFrame } from './message-handler';
import { Registry } from './registry';
import { Session } from './session';
import { MemoryStore } from './store/memory-store';
import type { MessageStore } from './store/message-store';
import { createUpgradeHandler, type UpgradeHandler } from './upgrade';

export interface TalklineOptions {
	/** Overrides on top of the defaults (and of `env`, when given). */
	config?: Partial<ServerConfig>;
	/** Environment to read the configuration from; tests leave it out. */
	env?: Record<string, string | undefined>;
	logger?: Logger;
	/** The message store; in memory by default. The server closes it on shutdown. */
	store?: MessageStore;
	/** The brain; from the configuration by default. */
	brain?: Brain;
}

export interface Health {
	ok: boolean;
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

/** Builds the socket server. Nothing listens until its upgrade handler is attached somewhere. */
export function createTalklineCore(options: TalklineOptions = {}): TalklineCore {
	const config = resolveConfig(options.config, options.env);
	const log = options.logger ?? createLogger(config.logLevel);
	const store = options.store ?? new MemoryStore();
	const brain =
		options.brain ??
		createBrain(config, (clientId, failure) =>
			log.warn(
				{ event: 'brain.failed', clientId, kind: failure.kind, err: failure.message },
				'brain failed'
			)
		);
	const wss = new WebSocketServer({
		noServer: true,
		maxPayload: config.maxPayloadBytes,
		clientTracking: true
	});
	const registry = new Registry<Session>();
	const conversations = new Map<string, Conversation>();
	const history = new Map<string, { sessionId: string; opened: number }>();
	const startedAt = Date.now();
	let accepting = true;
	let closing: Promise<void> | undefined;

	/** What the brain may say about a client id's connection. */
	const facts = (clientId: string): ConnectionFacts => {
		const session = registry.get(clientId);
		return {
			clientId,
			state: session ? 'open' : 'disconnected',
			connectedAt: session?.openedAt,
			serverStartedAt: startedAt,
			pingsSent: session?.stats.pingsSent ?? 0,
			pongsReceived: session?.stats.pongsReceived ?? 0,
			lastRttMs: session?.stats.lastRttMs,
			connectionsOpened: history.get(clientId)?.opened ?? 0
		};
	};

	const conversationOf = (clientId: string): Conversation => {
		let conversation = conversations.get(clientId);
		if (!conversation) {
			conversation = new Conversation({
				clientId,
				store,
				brain,
				deliver: (message) => registry.get(clientId)?.deliver(message),
				sendError: (code, message, id) =>
					registry.get(clientId)?.send({ type: 'error', code, message, id }),
				facts: () => facts(clientId),
				onFault: (error) =>
					log.error({ event: 'reply.fault', clientId, err: error }, 'reply failed'),
				onIdle: () => {
					if (!registry.get(clientId)) conversations.delete(clientId);
				}
			});
			conversations.set(clientId, conversation);
		}
		return conversation;
	};

	const onConnection = (
		ws: WebSocket,
		clientId: string | null,
		rawId: string,
		req: IncomingMessage
	) => {
		ws.on('error', (error) =>
			log.warn({ event: 'socket.error', clientId, err: error }, 'socket error')
		);
		if (clientId === null) {
			log.info(
				{
					event: 'connection.refused',
					rawId: rawId.slice(0, 80),
					code: CLOSE.invalidClientId,
					reason: CLOSE_REASON.invalidClientId
				},
				'invalid client id'
			);
			ws.close(CLOSE.invalidClientId, CLOSE_REASON.invalidClientId);
			return;
		}
		const session = new Session(clientId, ws, {
			config,
			store,
			onTerminated: (s, reason, details) =>
				log.warn(
					{ event: 'connection.terminated', clientId, sessionId: s.sessionId, reason, ...details },
					'connection terminated'
				)
		});
		const previous = history.get(clientId);
		history.set(clientId, { sessionId: session.sessionId, opened: (previous?.opened ?? 0) + 1 });
		registry.add(session);
		log.info(
			{
				event: 'connection.open',
				clientId,
				sessionId: session.sessionId,
				remote: req.socket.remoteAddress,
				origin: req.headers.origin
			},
			'connection opened'
		);
		const context = {
			session,
			store,
			conversation: () => conversationOf(clientId),
			maxBadMessages: config.maxBadMessages
		};
		ws.on('message', (data, isBinary) => {
			try {
				handleFrame(context, data, isBinary);
			} catch (error) {
				log.error({ event: 'message.fault', clientId, err: error }, 'message handling failed');
				session.send({
					type: 'error',
					code: 'internal_error',
					message: 'The server could not handle that message'
				});
			}
		});
		ws.on('close', (code, reason) => {
			session.dispose();
			registry.remove(session);
			if (!registry.get(clientId) && !conversations.get(clientId)?.busy)
				conversations.delete(clientId);
			const intent = session.closeIntent;
			log.info(
				{
					event: 'connection.close',
					clientId,
					sessionId: session.sessionId,
					code: intent?.code ?? code,
					reason: intent?.reason ?? reason.toString(),
					by: intent ? 'server' : 'client',
					durationMs: Date.now() - session.openedAt
				},
				'connection closed'
			);
		});
		session.start(previous?.sessionId);
	};

	const handleUpgrade = createUpgradeHandler({
		wss,
		originPolicy: config,
		isAccepting: () => accepting,
		onConnection,
		onRefused: (status, reason, req) =>
			log.info(
				{
					event: 'upgrade.refused',
					status,
					reason,
					url: req.url?.slice(0, 120),
					origin: req.headers.origin
				},
				'upgrade refused'
			)
	});

	const close = (): Promise<void> => {
		closing ??= (async () => {
			accepting = false;
			await Promise.all([...conversations.values()].map((conversation) => conversation.stop()));
			for (const session of registry.all())
				session.close(CLOSE.serviceRestart, CLOSE_REASON.serviceRestart);
			for (const ws of wss.clients)
				if (ws.readyState === ws.CONNECTING || ws.readyState === ws.OPEN)
					ws.close(CLOSE.serviceRestart, CLOSE_REASON.serviceRestart);
			await allClosed(wss, config.shutdownGraceMs);
			await new Promise<void>((resolve) => wss.close(() => resolve()));
			store.close();
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
		health: () => ({
			ok: accepting,
			connections: wss.clients.size,
			clients: registry.size,
			uptimeS: Math.round((Date.now() - startedAt) / 1000)
		}),
		close
	};
}

/** Resolves once every socket has closed, terminating the stragglers after `graceMs`. */
async function allClosed(wss: WebSocketServer, graceMs: number): Promise<void> {
	const sockets = [...wss.clients];
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
}
