/**
 * What happens to each accepted socket: an invalid client id is closed with 4400; a valid one
 * becomes a Session, registered (replacing an older one), wired to the message handler, and
 * logged once when it opens and once when it closes.
 */
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { CLOSE, CLOSE_REASON } from '../protocol/limits';
import { ERROR_CODES } from '../protocol/server-messages';
import type { AcceptQueue } from './accept-queue';
import type { ConnectionFacts } from './brain/types';
import type { ServerConfig } from './config';
import type { Conversations } from './conversations';
import type { Fanout } from './fanout';
import type { Logger } from './log';
import { Heartbeats } from './heartbeat';
import { countClose, countOpen, countRefusal } from './metrics';
import { handleFrame, type HandlerDeps } from './message-handler';
import type { RateLimiters } from './rate-limiter';
import type { Registry } from './registry';
import { Session, type SessionDeps } from './session';
import type { Arrival, ArrivalQueue } from './ownership';
import type { MessageStore } from './store/message-store';

/** Client ids remembered for `resumedFrom` and connection counts; the oldest are forgotten. */
const MAX_REMEMBERED_CLIENTS = 10_000;

/** Per client id: the last session and how many connections it opened since the start. */
export class ClientHistory {
	readonly #byClientId = new Map<string, { sessionId: string; opened: number }>();

	/** Records a new session; returns the session id it follows, if any. */
	record(clientId: string, sessionId: string): string | undefined {
		const previous = this.#byClientId.get(clientId);
		this.#byClientId.delete(clientId); // re-insert: the Map stays in least-recent-first order
		this.#byClientId.set(clientId, { sessionId, opened: (previous?.opened ?? 0) + 1 });
		if (this.#byClientId.size > MAX_REMEMBERED_CLIENTS) {
			this.#byClientId.delete(this.#byClientId.keys().next().value as string);
		}
		return previous?.sessionId;
	}

	opened(clientId: string): number {
		return this.#byClientId.get(clientId)?.opened ?? 0;
	}
}

/** What the brain may say about a client id's connection, read when it answers. */
export function connectionFacts(
	registry: Registry<Session>,
	history: ClientHistory,
	serverStartedAt: number
): (clientId: string) => ConnectionFacts {
	return (clientId) => {
		const session = registry.get(clientId);
		return {
			clientId,
			state: session ? 'open' : 'disconnected',
			connectedAt: session?.openedAt,
			serverStartedAt,
			pingsSent: session?.stats.pingsSent ?? 0,
			pongsReceived: session?.stats.pongsReceived ?? 0,
			lastRttMs: session?.stats.lastRttMs,
			connectionsOpened: history.opened(clientId)
		};
	};
}

export interface ConnectionDeps {
	config: ServerConfig;
	store: MessageStore;
	/** Stores chats and stills in one commit per turn of the event loop. */
	accepts: AcceptQueue;
	/** Looks up (and claims) the client ids of new connections, in groups. */
	arrivals: ArrivalQueue;
	log: Logger;
	registry: Registry<Session>;
	conversations: Conversations;
	history: ClientHistory;
	/** The rate limit buckets of client ids, shared by their connections. */
	limiters: RateLimiters;
	/** Other instances sharing the store (Redis), or none. */
	fanout: Fanout;
}

export type ConnectionHandler = (
	ws: WebSocket,
	clientId: string | null,
	rawId: string,
	req: IncomingMessage
) => void;

/** The session of an accepted socket, kept on the socket so that listeners can be shared. */
const SESSION = Symbol('talkline.session');
/** Frames that came while the store was asked who the client id is, handled once it answered. */
const EARLY = Symbol('talkline.early');
type SessionSocket = WebSocket & {
	[SESSION]?: Session;
	[EARLY]?: { data: RawData; isBinary: boolean }[];
};
/** Frames kept while the store answers; a client that sends more before its `connected` waits. */
const MAX_EARLY_FRAMES = 64;

/**
 * Builds the handler for accepted sockets. The socket listeners are made here, once per server,
 * and find their session on the socket (`this`): an idle connection holds no closures of its own.
 */
export function createConnectionHandler(deps: ConnectionDeps): ConnectionHandler {
	const { config, store, log, registry, conversations, history, limiters, fanout } = deps;
	const sessionDeps: SessionDeps = {
		config,
		store,
		log,
		heartbeats: new Heartbeats(config),
		limiters
	};

	/**
	 * The session now owns its client id (claimed it, or proved the token): it takes the id's
	 * shared rate limit, replaces an older connection of the id, and the chats the store holds as
	 * accepted but unanswered (accepted before a restart) are answered into the store, for the
	 * replay that follows. A log made for this connection holds none: the store is not asked.
	 */
	function becomeOwner(session: Session): void {
		const { clientId, sessionId } = session;
		let nonePending = session.createdLog;
		session.becomeOwner();
		registry.add(session);
		const resumeFailed = (error: unknown) =>
			log.error({ event: 'conversation.fault', clientId, err: error }, 'pending chats not resumed');
		fanout
			.hold(clientId, sessionId, {
				stored(message) {
					registry.get(clientId)?.deliver(message);
					if (message.type === 'reply.end' || message.type === 'reply.interrupted')
						conversations.replyEnded(clientId);
				},
				replaced(bySessionId) {
					const held = registry.get(clientId);
					if (held && held.sessionId !== bySessionId)
						held.close(CLOSE.normal, CLOSE_REASON.replaced);
				},
				resumePending() {
					// Only on holding: a later call means an instance that was answering chats died.
					if (nonePending) nonePending = false;
					else conversations.resumePending(clientId).catch(resumeFailed);
				}
			})
			.catch(resumeFailed);
	}

	const handlerDeps: HandlerDeps = {
		store,
		accepts: deps.accepts,
		conversations,
		log,
		maxBadMessages: config.maxBadMessages,
		maxPendingChats: config.maxPendingChats,
		becomeOwner
	};

	function onError(this: SessionSocket, error: Error & { code?: string }): void {
		// ws closes a frame over maxPayload itself (1009); it is a refusal all the same.
		if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') countRefusal('size');
		log.warn(
			{ event: 'socket.error', clientId: this[SESSION]?.clientId, err: error },
			'socket error'
		);
	}

	function onAnyClose(this: SessionSocket, code: number): void {
		countClose(this[SESSION]?.closeIntent?.code ?? code);
	}

	function onPong(this: SessionSocket): void {
		this[SESSION]?.alive();
	}

	function onMessage(this: SessionSocket, data: RawData, isBinary: boolean): void {
		const session = this[SESSION];
		if (!session) {
			const early = this[EARLY];
			if (early && early.length < MAX_EARLY_FRAMES) early.push({ data, isBinary });
			return;
		}
		try {
			handleFrame(handlerDeps, session, data, isBinary);
		} catch (error) {
			const { clientId } = session;
			log.error({ event: 'message.fault', clientId, err: error }, 'message handling failed');
			session.send({
				type: 'error',
				code: ERROR_CODES.internalError,
				message: 'The server could not handle that message'
			});
		}
	}

	function onClose(this: SessionSocket, code: number, reason: Buffer): void {
		const session = this[SESSION];
		if (!session) return;
		const { clientId, sessionId } = session;
		session.dispose();
		registry.remove(session);
		if (!registry.get(clientId)) fanout.release(clientId);
		conversations.release(clientId);
		const intent = session.closeIntent;
		log.info(
			{
				event: 'connection.close',
				clientId,
				sessionId,
				code: intent?.code ?? code,
				reason: intent?.reason ?? reason.toString(),
				by: intent ? 'server' : 'client',
				durationMs: Date.now() - session.openedAt
			},
			'connection closed'
		);
	}

	const onAccepted: ConnectionHandler = (ws: SessionSocket, clientId, rawId, req) => {
		ws.on('error', onError);
		countOpen();
		ws.on('close', onAnyClose);
		if (clientId === null) {
			countRefusal('client_id');
			const { invalidClientId: code } = CLOSE;
			const reason = CLOSE_REASON.invalidClientId;
			log.info({ event: 'connection.refused', rawId: rawId.slice(0, 80), code, reason }, reason);
			ws.close(code, reason);
			req.socket.uncork(); // the 101 and the close frame, in one write (upgrade.ts)
			return;
		}
		ws[EARLY] = [];
		ws.on('message', onMessage);
		deps.arrivals.arrive(clientId).then(
			(arrival) => {
				try {
					opened(ws, clientId, arrival, req);
				} catch (error) {
					log.error({ event: 'connection.fault', clientId, err: error }, 'connection not opened');
					ws.terminate();
				}
				// The 101 and `connected`, in one write (upgrade.ts).
				req.socket.uncork();
			},
			(error: unknown) => {
				log.error({ event: 'store.unavailable', clientId, err: error }, 'client id not checked');
				// 1013: the client tries again later (the store may be back by then).
				ws.close(CLOSE.tryAgainLater, 'store unavailable');
				req.socket.uncork();
			}
		);
	};

	/** The store said who the client id is: the connection becomes a session. */
	function opened(ws: SessionSocket, clientId: string, arrival: Arrival, req: IncomingMessage) {
		if (ws.readyState !== ws.OPEN) return; // gone while the store answered
		const session = new Session(clientId, ws, sessionDeps, arrival);
		ws[SESSION] = session;
		const resumedFrom = history.record(clientId, session.sessionId);
		log.info(
			{
				event: 'connection.open',
				clientId,
				sessionId: session.sessionId,
				claimed: arrival.token !== undefined,
				remote: req.socket.remoteAddress,
				origin: req.headers.origin
			},
			'connection opened'
		);
		ws.on('pong', onPong);
		ws.on('close', onClose);
		session.start(resumedFrom);
		if (session.owner) becomeOwner(session);
		const early = ws[EARLY] ?? [];
		// Not `delete`: deleting a property added before others turns the socket into a
		// dictionary-mode object (1.6 KB more per connection in a heap snapshot of 3,000).
		ws[EARLY] = undefined;
		for (const { data, isBinary } of early) onMessage.call(ws, data, isBinary);
	}

	return onAccepted;
}
