import { describe, expect, it } from 'vitest';
import { assign, createActor, sendTo, setup, type AnyEventObject } from 'xstate';
import {
	ignoreSocketError,
	socketActor,
	type CreateSocket,
	type WebSocketLike
} from '../../machines/socket';
import { FakeSocketRegistry } from '../support/fake-socket';
import type { WebSocket as NodeWebSocket } from 'ws';

/** A parent that invokes the socket actor while `on`, records what it reports, relays commands. */
const parent = setup({
	types: {
		context: {} as { received: AnyEventObject[]; createSocket: CreateSocket },
		input: {} as { createSocket: CreateSocket },
		events: {} as
			| { type: 'toggle' }
			| { type: 'send'; data: string }
			| { type: 'close'; code: number; reason: string }
			| { type: `socket.${string}` }
	},
	actors: { socket: socketActor }
}).createMachine({
	context: ({ input }) => ({ received: [], createSocket: input.createSocket }),
	initial: 'on',
	on: {
		'socket.*': {
			actions: assign({ received: ({ context, event }) => [...context.received, event] })
		}
	},
	states: {
		on: {
			invoke: {
				id: 'socket',
				src: 'socket',
				input: ({ context }) => ({ url: 'ws://x/ws/a', createSocket: context.createSocket })
			},
			on: {
				toggle: 'off',
				send: { actions: sendTo('socket', ({ event }) => event) },
				close: { actions: sendTo('socket', ({ event }) => event) }
			}
		},
		off: { on: { toggle: 'on' } }
	}
});

function start(create?: CreateSocket) {
	const sockets = new FakeSocketRegistry();
	const actor = createActor(parent, { input: { createSocket: create ?? sockets.create } }).start();
	return { actor, sockets, received: () => actor.getSnapshot().context.received };
}

describe('socket actor', () => {
	it('opens one socket for its URL through the injected factory', () => {
		const { sockets } = start();
		expect(sockets.sockets).toHaveLength(1);
		expect(sockets.latest.url).toBe('ws://x/ws/a');
	});

	it('forwards open, text messages, close and error as socket.* events', () => {
		const { sockets, received } = start();
		const socket = sockets.latest;
		socket.serverOpen();
		socket.serverMessage('{"type":"x"}');
		socket.serverMessage('not json');
		socket.error();
		socket.serverClose(1011, 'boom');
		expect(received()).toEqual([
			{ type: 'socket.open' },
			{ type: 'socket.message', message: { type: 'x' } },
			{ type: 'socket.message', message: undefined },
			{ type: 'socket.error', reason: 'socket error' },
			{ type: 'socket.close', code: 1011, reason: 'boom', wasClean: true }
		]);
	});

	it('ignores non-text frames', () => {
		const { sockets, received } = start();
		sockets.latest.serverOpen();
		sockets.latest.serverBinary(new Uint8Array([1]));
		expect(received()).toEqual([{ type: 'socket.open' }]);
	});

	it('reports a factory that throws as a socket error instead of crashing', () => {
		const { received } = start(() => {
			throw new Error('bad url');
		});
		expect(received()).toEqual([{ type: 'socket.error', reason: 'bad url' }]);
	});

	it('sends frames only while the socket is open', () => {
		const { actor, sockets } = start();
		actor.send({ type: 'send', data: 'early' });
		sockets.latest.serverOpen();
		actor.send({ type: 'send', data: 'hello' });
		expect(sockets.latest.sent).toEqual(['hello']);
	});

	it('closes with the code and reason it is told', () => {
		const { actor, sockets } = start();
		sockets.latest.serverOpen();
		actor.send({ type: 'close', code: 4000, reason: 'keepalive timeout' });
		expect(sockets.latest.closeCalls).toEqual([{ code: 4000, reason: 'keepalive timeout' }]);
	});

	it('on cleanup removes its handlers, leaves an error sink and closes the socket with 1000', () => {
		const { actor, sockets } = start();
		sockets.latest.serverOpen();
		actor.send({ type: 'toggle' });
		const socket = sockets.latest;
		expect(socket.closeCalls).toEqual([{ code: 1000, reason: 'client disconnect' }]);
		expect(sockets.liveCount()).toBe(0);
		expect(sockets.listenerCount([ignoreSocketError])).toBe(0);
		expect(socket.listenersOf('error')).toEqual([ignoreSocketError]);
		expect(() => socket.error()).not.toThrow();
	});

	it('does not close again a socket that the server already closed', () => {
		const { actor, sockets } = start();
		sockets.latest.serverClose(1006);
		actor.send({ type: 'toggle' });
		expect(sockets.latest.closeCalls).toEqual([]);
	});

	it('closes a socket that is still connecting when stopped', () => {
		const { actor, sockets } = start();
		actor.stop();
		expect(sockets.latest.closeCalls).toHaveLength(1);
		expect(sockets.liveCount()).toBe(0);
	});

	it('drops events of a stopped socket even if it ignores removeEventListener', () => {
		const sockets = new FakeSocketRegistry();
		sockets.leaky = true;
		const { actor, received } = start(sockets.create);
		const old = sockets.latest;
		actor.send({ type: 'toggle' });
		old.serverOpen();
		old.serverClose(1006);
		expect(received()).toEqual([]);
	});

	it('accepts the browser WebSocket and the ws WebSocket as WebSocketLike', () => {
		const fits = (_socket: WebSocketLike) => true;
		const browserSocket = null as unknown as WebSocket;
		const nodeSocket = null as unknown as NodeWebSocket;
		expect(fits(browserSocket) && fits(nodeSocket)).toBe(true);
	});
});
