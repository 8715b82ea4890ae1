/**
 * What the connection machine is given and keeps: its input, its context (data and the injected
 * functions), its events and what it emits. The machine itself is in `connection.ts`.
 */
import { resolveConfig, type ConnectionConfig } from './config';
import type { CreateSocket, SocketEvent } from './socket';

/** What the page passes to `createActor(connectionMachine, { input })`. */
export type ConnectionInput = {
	/** Full ws:// URL including /ws/<clientId>. */
	url: string;
	/** Overrides of the spec's defaults. */
	config?: Partial<ConnectionConfig>;
	/** Default: `new globalThis.WebSocket(url)`. */
	createSocket?: CreateSocket;
	/** Wall-clock time in ms; default `Date.now` (tests pass a simulated clock's `now`). */
	now?: () => number;
	/** Source of jitter in [0, 1); default `Math.random`. */
	random?: () => number;
	/** Initial `navigator.onLine`; default true. */
	online?: boolean;
};

/**
 * The injected functions. They live in context, not in `.provide()`: the clock and the jitter are
 * read by assigns, guards and delays at every step, and one place for all three keeps the machine
 * loadable as is in Stately's editor (which supplies no implementations).
 */
export type ConnectionDeps = {
	createSocket: CreateSocket;
	now: () => number;
	random: () => number;
};

/**
 * Why the machine entered its current state (rule 16): set by every transition that changes the
 * leaf state. `event` is the event type; delayed transitions read `after.<delay>`, e.g.
 * `after.connectTimeout`, `after.staleAfter`, `after.reconnectDelay`.
 */
export type TransitionReason = { event: string; code?: number; reason?: string; at: number };

export type ConnectionContext = {
	url: string;
	config: ConnectionConfig;
	/** The id the server confirmed with `connected` (rule 2); cleared when a new socket opens. */
	clientId: string | null;
	/** Reconnect attempt counter (rules 8-12): 0 on CONNECT, n while making reconnect n. */
	attempt: number;
	/** The delay chosen on entering backingOff, in ms; null elsewhere. */
	nextDelay: number | null;
	/** `now() + nextDelay`: the target of the page's countdown; null outside backingOff. */
	retryAt: number | null;
	/** Time of the last server frame (or of the open, before the first frame). */
	lastMessageAt: number | null;
	/** Time the current/last socket opened. */
	openedAt: number | null;
	/** The last close the user did not ask for: server close, socket error (as 1006), 4000. */
	lastClose: { code: number; reason: string } | null;
	/** Last known browser connectivity (`browser.online`/`browser.offline`). */
	online: boolean;
	why: TransitionReason | null;
	/** Functions, not data: leave out of anything serialized (see `displayContext`). */
	deps: ConnectionDeps;
};

/**
 * Events from the user, the page (browser), the socket actor, and the machine itself. The user's
 * commands stay upper-case (CONNECT, DISCONNECT, RETRY, SEND) on purpose: they are the commands
 * the page, the inspector's buttons and Stately's editor send, while the dotted ones are what the
 * machine observes (browser.*, socket.*, keepalive.*); the spec and its tests name them so.
 */
export type ConnectionEvent =
	| { type: 'CONNECT' }
	| { type: 'DISCONNECT' }
	| { type: 'RETRY' }
	| { type: 'SEND'; data: string }
	| { type: 'browser.online' }
	| { type: 'browser.offline' }
	| { type: 'browser.visible' }
	| SocketEvent
	| { type: 'keepalive.timeout'; code: number; reason: string };

/**
 * Emitted for every server text frame: the message the socket actor parsed (the frame is parsed
 * once, there), for the app to validate with its own schema; undefined for a frame not JSON.
 */
export type ConnectionEmitted = { type: 'message'; message: unknown };

const defaultCreateSocket: CreateSocket = (url) => new globalThis.WebSocket(url);

/** Builds the initial context from the input (used as the machine's `context`). */
export function contextFromInput({ input }: { input: ConnectionInput }): ConnectionContext {
	return {
		url: input.url,
		config: resolveConfig(input.config),
		clientId: null,
		attempt: 0,
		nextDelay: null,
		retryAt: null,
		lastMessageAt: null,
		openedAt: null,
		lastClose: null,
		online: input.online ?? true,
		why: null,
		deps: {
			createSocket: input.createSocket ?? defaultCreateSocket,
			now: input.now ?? Date.now,
			random: input.random ?? Math.random
		}
	};
}

/** The context without its functions: safe to serialize for display or logs. */
export function displayContext(context: ConnectionContext): Omit<ConnectionContext, 'deps'> {
	const { deps: _deps, ...data } = context;
	return data;
}
