/**
 * The connection statechart (shared/spec/connection.md; rule numbers below refer to it).
 *
 *   idle ──CONNECT──▶ session ─────────────────────────────────────────────┐ owns the socket
 *                     │ connecting ──socket.open──▶ live: open ⇄ stale      │
 *                     └─ close/error/timeout ─▶ idle | backingOff | failed ┘
 *   backingOff ──delay / RETRY / online──▶ session (attempt + 1)
 *   failed ──CONNECT / RETRY / online──▶ session (attempt 0)
 *   DISCONNECT: session | backingOff | failed ──▶ idle
 *
 * Leaf states: idle, connecting, open, stale, backingOff, failed (see connectionStateName).
 * The socket is invoked by `session`, so leaving connecting/open/stale for any other state
 * always stops it (rule 14). Time is read only through `context.deps.now`, delays are
 * computed from timestamps (rules 5, 15), and the browser reaches the machine as events.
 */
import { assign, emit, raise, sendTo, setup, type SnapshotFrom, type StateValue } from 'xstate';
import { backoffDelay } from './backoff';
import { classifyClose, KEEPALIVE_TIMEOUT } from './close-codes';
import { resolveConfig, type ConnectionConfig } from './config';
import { parseKeepaliveFrame, PING_PROBE, pongFrame } from './frames';
import { socketActor, type CreateSocket, type SocketEvent, type SocketInput } from './socket';

export type { ConnectionConfig } from './config';
export type { CreateSocket, WebSocketLike } from './socket';

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

/** The injected functions. They live in context so one machine serves every environment. */
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

/** Events from the user, the page (browser), the socket actor, and the machine itself. */
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

/** Emitted for every server text frame, raw, for the app to parse with its own schema. */
export type ConnectionEmitted = { type: 'message'; data: string };

export const CONNECTION_STATE_NAMES = [
	'idle',
	'connecting',
	'open',
	'stale',
	'backingOff',
	'failed'
] as const;
export type ConnectionStateName = (typeof CONNECTION_STATE_NAMES)[number];

const defaultCreateSocket: CreateSocket = (url) => new globalThis.WebSocket(url);

/** Builds the initial context from the input (used as the machine's `context`). */
function contextFromInput({ input }: { input: ConnectionInput }): ConnectionContext {
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

/** The socket actor's input (used as the invoke's `input`). */
function socketInputFrom({ context }: { context: ConnectionContext }): SocketInput {
	return { url: context.url, createSocket: context.deps.createSocket };
}

/** Milliseconds since the server last spoke (rules 4, 5, 15). */
const silence = (context: ConnectionContext) =>
	context.deps.now() - (context.lastMessageAt ?? context.deps.now());

const frameOf = (event: ConnectionEvent) =>
	event.type === 'socket.message' ? parseKeepaliveFrame(event.data) : null;

/** `xstate.after.<delay>.<state id>` becomes `after.<delay>`; other event types stay as they are. */
const eventName = (type: string) =>
	type.startsWith('xstate.after.') ? `after.${type.split('.')[2]}` : type;

export const connectionMachine = setup({
	types: {
		context: {} as ConnectionContext,
		events: {} as ConnectionEvent,
		input: {} as ConnectionInput,
		emitted: {} as ConnectionEmitted
	},
	actors: { socket: socketActor },
	delays: {
		connectTimeout: ({ context }) => context.config.connectTimeout,
		stableAfter: ({ context }) => context.config.stableAfter,
		staleAfter: ({ context }) => Math.max(0, context.config.staleAfter - silence(context)),
		pingTimeout: ({ context }) => Math.max(0, context.config.pingTimeout - silence(context)),
		reconnectDelay: ({ context }) => context.nextDelay ?? 0
	},
	guards: {
		canRetry: ({ context }) => context.attempt < context.config.maxReconnectAttempts,
		isOnline: ({ context }) => context.online,
		isConfirmed: ({ context }) => context.clientId !== null,
		isNormalClose: ({ event }) =>
			event.type === 'socket.close' && classifyClose(event.code) === 'normal',
		isPermanentClose: ({ event }) =>
			event.type === 'socket.close' && classifyClose(event.code) === 'permanent',
		isStaleBySilence: ({ context }) => silence(context) >= context.config.staleAfter,
		isDeadBySilence: ({ context }) => silence(context) >= context.config.pingTimeout,
		isServerPing: ({ event }) => frameOf(event)?.type === 'ping',
		/** A `connected` frame on a connection open for `stableAfter` already (rule 9). */
		confirmsStableConnection: ({ context, event }) =>
			frameOf(event)?.type === 'connected' &&
			context.deps.now() - (context.openedAt ?? Infinity) >= context.config.stableAfter
	},
	actions: {
		resetAttempts: assign({ attempt: 0 }),
		countAttempt: assign({ attempt: ({ context }) => context.attempt + 1 }),
		markOnline: assign({ online: true }),
		markOffline: assign({ online: false }),
		recordWhy: assign({
			why: ({ context, event }, params?: { reason: string }) => ({
				event: eventName(event.type),
				...('code' in event ? { code: event.code } : {}),
				...('reason' in event && event.reason !== undefined ? { reason: event.reason } : {}),
				...(params ? { reason: params.reason } : {}),
				at: context.deps.now()
			})
		}),
		recordClose: assign({
			lastClose: ({ event }) => ({
				code: 'code' in event ? event.code : 1006,
				reason: 'reason' in event ? (event.reason ?? '') : ''
			})
		}),
		markOpened: assign(({ context }) => ({
			openedAt: context.deps.now(),
			lastMessageAt: context.deps.now(),
			clientId: null
		})),
		recordMessage: assign(({ context, event }) => {
			const frame = frameOf(event);
			return {
				lastMessageAt: context.deps.now(),
				clientId: frame?.type === 'connected' ? frame.clientId : context.clientId
			};
		}),
		emitMessage: emit(({ event }) => ({
			type: 'message' as const,
			data: event.type === 'socket.message' ? event.data : ''
		})),
		answerPing: sendTo('socket', ({ event }) => {
			const frame = frameOf(event);
			return { type: 'send' as const, data: pongFrame(frame?.type === 'ping' ? frame.ts : 0) };
		}),
		sendPingProbe: sendTo('socket', { type: 'send' as const, data: PING_PROBE }),
		sendFrame: sendTo('socket', ({ event }) => ({
			type: 'send' as const,
			data: event.type === 'SEND' ? event.data : ''
		})),
		closeForKeepalive: sendTo('socket', { type: 'close' as const, ...KEEPALIVE_TIMEOUT }),
		raiseKeepaliveTimeout: raise({ type: 'keepalive.timeout' as const, ...KEEPALIVE_TIMEOUT }),
		scheduleReconnect: assign(({ context }) => {
			const nextDelay = backoffDelay(context.attempt + 1, context.config, context.deps.random);
			return { nextDelay, retryAt: context.deps.now() + nextDelay };
		}),
		clearSchedule: assign({ nextDelay: null, retryAt: null })
	}
}).createMachine({
	id: 'connection',
	context: contextFromInput,
	initial: 'idle',
	on: {
		'browser.online': { actions: 'markOnline' },
		'browser.offline': { actions: 'markOffline' }
	},
	states: {
		idle: {
			on: { CONNECT: { target: 'session', actions: ['resetAttempts', 'recordWhy'] } }
		},
		session: {
			invoke: { id: 'socket', src: 'socket', input: socketInputFrom },
			initial: 'connecting',
			on: {
				DISCONNECT: { target: 'idle', actions: 'recordWhy' },
				'socket.close': [
					{ guard: 'isNormalClose', target: 'idle', actions: ['recordClose', 'recordWhy'] },
					{ guard: 'isPermanentClose', target: 'failed', actions: ['recordClose', 'recordWhy'] },
					{ guard: 'canRetry', target: 'backingOff', actions: ['recordClose', 'recordWhy'] },
					{ target: 'failed', actions: ['recordClose', 'recordWhy'] }
				],
				'socket.error': [
					{ guard: 'canRetry', target: 'backingOff', actions: ['recordClose', 'recordWhy'] },
					{ target: 'failed', actions: ['recordClose', 'recordWhy'] }
				],
				'keepalive.timeout': [
					{ guard: 'canRetry', target: 'backingOff', actions: ['recordClose', 'recordWhy'] },
					{ target: 'failed', actions: ['recordClose', 'recordWhy'] }
				]
			},
			states: {
				connecting: {
					after: {
						connectTimeout: [
							{
								guard: 'canRetry',
								target: '#connection.backingOff',
								actions: { type: 'recordWhy', params: { reason: 'connect timeout' } }
							},
							{
								target: '#connection.failed',
								actions: { type: 'recordWhy', params: { reason: 'connect timeout' } }
							}
						]
					},
					on: { 'socket.open': { target: 'live', actions: 'recordWhy' } }
				},
				live: {
					entry: 'markOpened',
					after: { stableAfter: { guard: 'isConfirmed', actions: 'resetAttempts' } },
					on: { SEND: { actions: 'sendFrame' } },
					initial: 'open',
					states: {
						open: {
							after: {
								staleAfter: [
									{
										guard: 'isDeadBySilence',
										actions: ['closeForKeepalive', 'raiseKeepaliveTimeout']
									},
									{ target: 'stale', actions: 'recordWhy' }
								]
							},
							on: {
								'socket.message': [
									{
										guard: 'confirmsStableConnection',
										target: 'open',
										reenter: true,
										actions: ['recordMessage', 'resetAttempts', 'emitMessage']
									},
									{
										guard: 'isServerPing',
										target: 'open',
										reenter: true,
										actions: ['recordMessage', 'answerPing', 'emitMessage']
									},
									{ target: 'open', reenter: true, actions: ['recordMessage', 'emitMessage'] }
								],
								'browser.visible': [
									{
										guard: 'isDeadBySilence',
										actions: ['closeForKeepalive', 'raiseKeepaliveTimeout']
									},
									{ guard: 'isStaleBySilence', target: 'stale', actions: 'recordWhy' }
								],
								'browser.online': [
									{
										guard: 'isDeadBySilence',
										actions: ['markOnline', 'closeForKeepalive', 'raiseKeepaliveTimeout']
									},
									{
										guard: 'isStaleBySilence',
										target: 'stale',
										actions: ['markOnline', 'recordWhy']
									}
								]
							}
						},
						stale: {
							entry: 'sendPingProbe',
							after: {
								pingTimeout: { actions: ['closeForKeepalive', 'raiseKeepaliveTimeout'] }
							},
							on: {
								'socket.message': [
									{
										guard: 'confirmsStableConnection',
										target: 'open',
										actions: ['recordMessage', 'resetAttempts', 'emitMessage', 'recordWhy']
									},
									{
										guard: 'isServerPing',
										target: 'open',
										actions: ['recordMessage', 'answerPing', 'emitMessage', 'recordWhy']
									},
									{ target: 'open', actions: ['recordMessage', 'emitMessage', 'recordWhy'] }
								],
								'browser.visible': {
									guard: 'isDeadBySilence',
									actions: ['closeForKeepalive', 'raiseKeepaliveTimeout']
								},
								'browser.online': {
									guard: 'isDeadBySilence',
									actions: ['markOnline', 'closeForKeepalive', 'raiseKeepaliveTimeout']
								}
							}
						}
					}
				}
			}
		},
		backingOff: {
			entry: 'scheduleReconnect',
			exit: 'clearSchedule',
			after: {
				reconnectDelay: {
					guard: 'isOnline',
					target: 'session',
					actions: ['countAttempt', 'recordWhy']
				}
			},
			on: {
				RETRY: { target: 'session', actions: ['countAttempt', 'recordWhy'] },
				'browser.online': {
					target: 'session',
					actions: ['markOnline', 'countAttempt', 'recordWhy']
				},
				DISCONNECT: { target: 'idle', actions: 'recordWhy' }
			}
		},
		failed: {
			on: {
				CONNECT: { target: 'session', actions: ['resetAttempts', 'recordWhy'] },
				RETRY: { target: 'session', actions: ['resetAttempts', 'recordWhy'] },
				'browser.online': {
					target: 'session',
					actions: ['markOnline', 'resetAttempts', 'recordWhy']
				},
				DISCONNECT: { target: 'idle', actions: 'recordWhy' }
			}
		}
	}
});

export type ConnectionSnapshot = SnapshotFrom<typeof connectionMachine>;

/** The leaf state's name: what the page and the tests switch on. */
export function connectionStateName(snapshot: { value: StateValue }): ConnectionStateName {
	let value: StateValue = snapshot.value;
	while (typeof value !== 'string') {
		const [child] = Object.values(value);
		if (child === undefined) break;
		value = child;
	}
	const name = CONNECTION_STATE_NAMES.find((candidate) => candidate === value);
	if (!name)
		throw new Error(`connectionStateName: unknown state ${JSON.stringify(snapshot.value)}`);
	return name;
}

/** The context without its functions: safe to serialize for display or logs. */
export function displayContext(context: ConnectionContext): Omit<ConnectionContext, 'deps'> {
	const { deps: _deps, ...data } = context;
	return data;
}
