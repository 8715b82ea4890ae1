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
import { assign, enqueueActions, sendTo, setup, type SnapshotFrom } from 'xstate';
import { backoffDelay } from './backoff';
import { classifyClose, KEEPALIVE_TIMEOUT } from './close-codes';
import { keepaliveFrame, PING_PROBE, pongFrame } from './frames';
import {
	contextFromInput,
	type ConnectionContext,
	type ConnectionEmitted,
	type ConnectionEvent,
	type ConnectionInput
} from './connection-context';
import { socketActor, type SocketInput } from './socket';

export type { ConnectionConfig } from './config';
export type { CreateSocket, WebSocketLike } from './socket';
export * from './connection-context';
export * from './state-names';

/** The socket actor's input (used as the invoke's `input`). */
function socketInputFrom({ context }: { context: ConnectionContext }): SocketInput {
	return { url: context.url, createSocket: context.deps.createSocket };
}

/** Milliseconds since the server last spoke (rules 4, 5, 15). */
const silence = (context: ConnectionContext) =>
	context.deps.now() - (context.lastMessageAt ?? context.deps.now());

/** The keepalive frame a `socket.message` carries, read from the message the socket parsed. */
const keepaliveOf = (event: ConnectionEvent) =>
	event.type === 'socket.message' ? keepaliveFrame(event.message) : null;

/** `xstate.after.<delay>.<state id>` becomes `after.<delay>`; other event types stay as they are. */
const eventName = (type: string) =>
	type.startsWith('xstate.after.') ? `after.${type.split('.')[2]}` : type;

/** Why the machine is entering its next state (rule 16), from the event that takes it there. */
function reasonFor(context: ConnectionContext, event: ConnectionEvent, reason?: string) {
	return {
		event: eventName(event.type),
		...('code' in event ? { code: event.code } : {}),
		...('reason' in event && event.reason !== undefined ? { reason: event.reason } : {}),
		...(reason === undefined ? {} : { reason }),
		at: context.deps.now()
	};
}

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
		isDeadBySilence: ({ context }) => silence(context) >= context.config.pingTimeout,
		/** Silent for staleAfter but not yet for pingTimeout (a dead socket is closed instead). */
		isStaleBySilence: ({ context }) =>
			silence(context) >= context.config.staleAfter &&
			silence(context) < context.config.pingTimeout,
		isServerPing: ({ event }) => keepaliveOf(event)?.type === 'ping',
		/** A `connected` frame on a connection open for `stableAfter` already (rule 9). */
		confirmsStableConnection: ({ context, event }) =>
			keepaliveOf(event)?.type === 'connected' &&
			context.deps.now() - (context.openedAt ?? Infinity) >= context.config.stableAfter
	},
	actions: {
		resetAttempts: assign({ attempt: 0 }),
		/** A user's connect (or retry after failing): attempts start from 0, and why is kept. */
		startOver: assign(({ context, event }) => ({ attempt: 0, why: reasonFor(context, event) })),
		/** Reconnect n + 1 begins (rules 8-12), and why is kept. */
		startAttempt: assign(({ context, event }) => ({
			attempt: context.attempt + 1,
			why: reasonFor(context, event)
		})),
		markOnline: assign({ online: true }),
		markOffline: assign({ online: false }),
		recordWhy: assign({
			why: ({ context, event }, params?: { reason: string }) =>
				reasonFor(context, event, params?.reason)
		}),
		/** The connection was lost (close, error, keepalive): keep the close and say why. */
		recordLoss: assign(({ context, event }) => ({
			lastClose: {
				code: 'code' in event ? event.code : 1006,
				reason: 'reason' in event ? (event.reason ?? '') : ''
			},
			why: reasonFor(context, event)
		})),
		markOpened: assign(({ context }) => ({
			openedAt: context.deps.now(),
			lastMessageAt: context.deps.now(),
			clientId: null
		})),
		/** The server spoke: note when (and the id it confirmed), and hand the message to the app. */
		takeMessage: enqueueActions(({ context, event, enqueue }) => {
			if (event.type !== 'socket.message') return;
			const frame = keepaliveFrame(event.message);
			enqueue.assign({
				lastMessageAt: context.deps.now(),
				clientId: frame?.type === 'connected' ? frame.clientId : context.clientId
			});
			enqueue.emit({ type: 'message', message: event.message });
		}),
		answerPing: sendTo('socket', ({ event }) => {
			const frame = keepaliveOf(event);
			return { type: 'send' as const, data: pongFrame(frame?.type === 'ping' ? frame.ts : 0) };
		}),
		sendPingProbe: sendTo('socket', { type: 'send' as const, data: PING_PROBE }),
		sendFrame: sendTo('socket', ({ event }) => ({
			type: 'send' as const,
			data: event.type === 'SEND' ? event.data : ''
		})),
		/** Rule 5: close the silent socket with 4000 and leave at once, not when the close lands. */
		dropForKeepalive: enqueueActions(({ enqueue }) => {
			enqueue.sendTo('socket', { type: 'close' as const, ...KEEPALIVE_TIMEOUT });
			enqueue.raise({ type: 'keepalive.timeout' as const, ...KEEPALIVE_TIMEOUT });
		}),
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
			on: { CONNECT: { target: 'session', actions: 'startOver' } }
		},
		session: {
			invoke: { id: 'socket', src: 'socket', input: socketInputFrom },
			initial: 'connecting',
			on: {
				DISCONNECT: { target: 'idle', actions: 'recordWhy' },
				'socket.close': [
					{ guard: 'isNormalClose', target: 'idle', actions: 'recordLoss' },
					{ guard: 'isPermanentClose', target: 'failed', actions: 'recordLoss' },
					{ guard: 'canRetry', target: 'backingOff', actions: 'recordLoss' },
					{ target: 'failed', actions: 'recordLoss' }
				],
				'socket.error': [
					{ guard: 'canRetry', target: 'backingOff', actions: 'recordLoss' },
					{ target: 'failed', actions: 'recordLoss' }
				],
				'keepalive.timeout': [
					{ guard: 'canRetry', target: 'backingOff', actions: 'recordLoss' },
					{ target: 'failed', actions: 'recordLoss' }
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
					on: {
						SEND: { actions: 'sendFrame' },
						// Any frame means the server is alive: (re)enter `open`, which restarts staleAfter.
						'socket.message': [
							{
								guard: 'confirmsStableConnection',
								target: '.open',
								actions: ['takeMessage', 'resetAttempts']
							},
							{ guard: 'isServerPing', target: '.open', actions: ['takeMessage', 'answerPing'] },
							{ target: '.open', actions: 'takeMessage' }
						],
						// A tab waking up (or back online) checks the silence at once (rule 15).
						'browser.visible': { guard: 'isDeadBySilence', actions: 'dropForKeepalive' },
						'browser.online': {
							guard: 'isDeadBySilence',
							actions: ['markOnline', 'dropForKeepalive']
						}
					},
					initial: 'open',
					states: {
						open: {
							after: {
								staleAfter: [
									{ guard: 'isDeadBySilence', actions: 'dropForKeepalive' },
									{ target: 'stale', actions: 'recordWhy' }
								]
							},
							on: {
								'browser.visible': {
									guard: 'isStaleBySilence',
									target: 'stale',
									actions: 'recordWhy'
								},
								'browser.online': {
									guard: 'isStaleBySilence',
									target: 'stale',
									actions: ['markOnline', 'recordWhy']
								}
							}
						},
						stale: {
							entry: 'sendPingProbe',
							// Leaving stale always changes the leaf state; a frame (back to open) is the one
							// way out whose transition does not record its own reason afterwards.
							exit: 'recordWhy',
							after: { pingTimeout: { actions: 'dropForKeepalive' } }
						}
					}
				}
			}
		},
		backingOff: {
			entry: 'scheduleReconnect',
			exit: 'clearSchedule',
			after: {
				reconnectDelay: { guard: 'isOnline', target: 'session', actions: 'startAttempt' }
			},
			on: {
				RETRY: { target: 'session', actions: 'startAttempt' },
				'browser.online': { target: 'session', actions: ['markOnline', 'startAttempt'] },
				DISCONNECT: { target: 'idle', actions: 'recordWhy' }
			}
		},
		failed: {
			on: {
				CONNECT: { target: 'session', actions: 'startOver' },
				RETRY: { target: 'session', actions: 'startOver' },
				'browser.online': { target: 'session', actions: ['markOnline', 'startOver'] },
				DISCONNECT: { target: 'idle', actions: 'recordWhy' }
			}
		}
	}
});

export type ConnectionSnapshot = SnapshotFrom<typeof connectionMachine>;
