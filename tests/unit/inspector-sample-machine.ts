/**
 * A small machine shaped like the connection statechart (nested states, an invoked socket actor,
 * named after-delays, guarded and eventless transitions, root-level events, `context.why`), so the
 * inspector's modules can be tested on every construct they must draw, whatever the real machine
 * happens to use today.
 */
import { assign, fromCallback, not, setup } from 'xstate';

export type SampleEvent =
	| { type: 'CONNECT' }
	| { type: 'DISCONNECT' }
	| { type: 'RETRY' }
	| { type: 'SEND'; data: string }
	| { type: 'socket.open' }
	| { type: 'socket.message'; data: string }
	| { type: 'socket.close'; code: number; reason: string };

export interface SampleWhy {
	event: string;
	code?: number;
	reason?: string;
	at: number;
}

export interface SampleContext {
	attempt: number;
	lastMessageAt: number | null;
	lastClose: { code: number; reason: string } | null;
	why: SampleWhy | null;
}

/** The sample statechart; `socket` does nothing, tests send the socket events themselves. */
export const sampleMachine = setup({
	types: { context: {} as SampleContext, events: {} as SampleEvent },
	actors: { socket: fromCallback(() => () => {}) },
	delays: { connectTimeout: 2000, staleAfter: 1500, retryDelay: 1000 },
	guards: {
		isPermanentClose: ({ event }) => event.type === 'socket.close' && event.code === 1008,
		attemptsLeft: ({ context }) => context.attempt < 3
	},
	actions: {
		recordWhy: assign({
			why: ({ event }) => ({
				event: event.type,
				...(event.type === 'socket.close' ? { code: event.code, reason: event.reason } : {}),
				at: Date.now()
			})
		}),
		recordClose: assign({
			lastClose: ({ event }) =>
				event.type === 'socket.close' ? { code: event.code, reason: event.reason } : null
		}),
		recordMessage: assign({ lastMessageAt: () => Date.now() }),
		countAttempt: assign({ attempt: ({ context }) => context.attempt + 1 })
	}
}).createMachine({
	id: 'sample',
	initial: 'idle',
	context: { attempt: 0, lastMessageAt: null, lastClose: null, why: null },
	on: { DISCONNECT: { target: '.idle', actions: 'recordWhy' } },
	states: {
		idle: { on: { CONNECT: { target: 'live', actions: 'recordWhy' } } },
		live: {
			initial: 'connecting',
			invoke: { src: 'socket' },
			on: {
				SEND: { actions: 'recordMessage' },
				'socket.close': [
					{ guard: 'isPermanentClose', target: 'failed', actions: ['recordWhy', 'recordClose'] },
					{ target: 'checking', actions: ['recordWhy', 'recordClose'] }
				]
			},
			states: {
				connecting: {
					on: { 'socket.open': { target: 'open', actions: 'recordWhy' } },
					after: { connectTimeout: { target: '#sample.checking', actions: 'recordWhy' } }
				},
				open: {
					// Like the real machine: each message re-enters `open` to restart its timers.
					on: { 'socket.message': { target: 'open', reenter: true, actions: 'recordMessage' } },
					after: { staleAfter: { target: 'stale', actions: 'recordWhy' } }
				},
				stale: {
					on: { 'socket.message': { target: 'open', actions: ['recordMessage', 'recordWhy'] } }
				}
			}
		},
		checking: {
			always: [
				{ guard: not('attemptsLeft'), target: 'failed' },
				{ target: 'backingOff', actions: 'countAttempt' }
			]
		},
		backingOff: {
			on: { RETRY: { target: 'live', actions: 'recordWhy' } },
			after: { retryDelay: { target: 'live', actions: 'recordWhy' } }
		},
		failed: {
			on: {
				CONNECT: { target: 'live', actions: 'recordWhy' },
				RETRY: { target: 'live', actions: 'recordWhy' }
			}
		}
	}
});
