/**
 * A fake WebSocketLike for driving the connection machine in Node, plus a registry that knows
 * every socket it made: which are live (connecting or open, not closed by anyone), how many
 * listeners they still hold, and what the client sent.
 */
import type { CreateSocket, SocketEventMap, WebSocketLike } from '../../machines/socket';

type Listener = (event: never) => void;
type EventType = keyof SocketEventMap;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

export class FakeSocket implements WebSocketLike {
	readyState = CONNECTING;
	/** Text frames the client sent, in order. */
	readonly sent: string[] = [];
	/** Arguments of every `close()` call the client made. */
	readonly closeCalls: Array<{ code?: number; reason?: string }> = [];
	private readonly listeners = new Map<EventType, Set<Listener>>();

	constructor(
		readonly url: string,
		/** When true, `removeEventListener` does nothing: a socket that keeps talking. */
		private readonly leaky = false
	) {}

	addEventListener<K extends EventType>(type: K, listener: (event: SocketEventMap[K]) => void) {
		const set = this.listeners.get(type) ?? new Set<Listener>();
		set.add(listener as Listener);
		this.listeners.set(type, set);
	}

	removeEventListener<K extends EventType>(type: K, listener: (event: SocketEventMap[K]) => void) {
		if (!this.leaky) this.listeners.get(type)?.delete(listener as Listener);
	}

	send(data: string) {
		// Browsers throw InvalidStateError when sending on a connecting socket.
		if (this.readyState === CONNECTING) throw new Error('InvalidStateError: still connecting');
		if (this.readyState === OPEN) this.sent.push(data);
	}

	close(code?: number, reason?: string) {
		this.closeCalls.push({ code, reason });
		if (this.readyState === CONNECTING || this.readyState === OPEN) this.readyState = CLOSING;
	}

	/** Whether the socket still holds a connection (nobody has closed it). */
	get live() {
		return this.readyState === CONNECTING || this.readyState === OPEN;
	}

	listenerCount(type?: EventType): number {
		const types = type ? [type] : [...this.listeners.keys()];
		return types.reduce((sum, t) => sum + (this.listeners.get(t)?.size ?? 0), 0);
	}

	listenersOf(type: EventType): Listener[] {
		return [...(this.listeners.get(type) ?? [])];
	}

	/** Frames the client sent, parsed as JSON. */
	sentJson(): unknown[] {
		return this.sent.map((frame) => JSON.parse(frame) as unknown);
	}

	serverOpen() {
		this.readyState = OPEN;
		this.dispatch('open', {});
	}

	/** Delivers a text frame: objects are JSON-encoded, strings are sent as they are. */
	serverMessage(frame: unknown) {
		this.dispatch('message', { data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
	}

	/** Delivers a binary frame. */
	serverBinary(data: Uint8Array) {
		this.dispatch('message', { data });
	}

	serverClose(code: number, reason = '', wasClean = code !== 1006) {
		this.readyState = CLOSED;
		this.dispatch('close', { code, reason, wasClean });
	}

	/** Like `ws`: an `error` nobody listens to throws. */
	error() {
		if (this.listenerCount('error') === 0) throw new Error('unhandled socket error');
		this.dispatch('error', {});
	}

	private dispatch<K extends EventType>(type: K, event: SocketEventMap[K]) {
		for (const listener of [...(this.listeners.get(type) ?? [])]) {
			(listener as (event: SocketEventMap[K]) => void)(event);
		}
	}
}

/** Makes fake sockets and remembers all of them. */
export class FakeSocketRegistry {
	readonly sockets: FakeSocket[] = [];
	/** Make the next sockets leaky (they ignore `removeEventListener`). */
	leaky = false;

	/** The factory to pass as `createSocket`. */
	readonly create: CreateSocket = (url) => {
		const socket = new FakeSocket(url, this.leaky);
		this.sockets.push(socket);
		return socket;
	};

	/** The most recently created socket. */
	get latest(): FakeSocket {
		const socket = this.sockets.at(-1);
		if (!socket) throw new Error('no socket has been created');
		return socket;
	}

	/** Sockets created and not closed by either side. */
	liveCount(): number {
		return this.sockets.filter((socket) => socket.live).length;
	}

	/** Listeners still attached to any socket, except the given ones (e.g. an error sink). */
	listenerCount(except: ReadonlyArray<unknown> = []): number {
		return this.sockets.reduce(
			(sum, socket) =>
				sum +
				(['open', 'message', 'close', 'error'] as const).reduce(
					(n, type) => n + socket.listenersOf(type).filter((l) => !except.includes(l)).length,
					0
				),
			0
		);
	}
}

/**
 * The server's `connected` greeting as the unit tests fake it (epoch `epoch-1`), with the
 * ownership token only when one is given (a client id the connection has just claimed).
 */
export function connectedGreeting(clientId: string, token?: string) {
	return {
		type: 'connected',
		clientId,
		sessionId: 's1',
		serverTime: 0,
		pingIntervalMs: 10000,
		epoch: 'epoch-1',
		...(token ? { token } : {})
	} as const;
}
