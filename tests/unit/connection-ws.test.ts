import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { WebSocket, WebSocketServer } from 'ws';
import { connectionMachine, connectionStateName } from '../../machines/connection';

/** A real `ws` server that greets like ours, and remembers what it heard. */
async function startServer() {
	const server = new WebSocketServer({ port: 0 });
	await new Promise<void>((resolve) => server.once('listening', () => resolve()));
	const heard: string[] = [];
	const closes: number[] = [];
	server.on('connection', (socket) => {
		socket.on('message', (data) => heard.push(String(data)));
		socket.on('close', (code) => closes.push(code));
		socket.send(JSON.stringify({ type: 'connected', clientId: 'node-client' }));
		socket.send(JSON.stringify({ type: 'ping', ts: 7 }));
	});
	const { port } = server.address() as AddressInfo;
	return { server, heard, closes, url: `ws://127.0.0.1:${port}/ws/node-client` };
}

let cleanup: Array<() => void> = [];
afterEach(() => {
	cleanup.forEach((fn) => fn());
	cleanup = [];
});

const stateIs = (name: string) => (snapshot: Parameters<typeof connectionStateName>[0]) =>
	connectionStateName(snapshot) === name;

describe('connection machine with the ws package', () => {
	it('connects, answers the server ping, and closes with 1000 on DISCONNECT', async () => {
		const { server, heard, closes, url } = await startServer();
		cleanup.push(() => server.close());
		const actor = createActor(connectionMachine, {
			input: { url, createSocket: (socketUrl) => new WebSocket(socketUrl) }
		}).start();
		cleanup.push(() => actor.stop());
		actor.send({ type: 'CONNECT' });
		await waitFor(actor, (s) => s.context.clientId === 'node-client');
		await expect.poll(() => heard).toEqual([JSON.stringify({ type: 'pong', ts: 7 })]);
		actor.send({ type: 'DISCONNECT' });
		await expect.poll(() => closes).toEqual([1000]);
		expect(connectionStateName(actor.getSnapshot())).toBe('idle');
	});

	it('abandons a socket that is still connecting without an unhandled error', async () => {
		const { server, url } = await startServer();
		cleanup.push(() => server.close());
		const sockets: WebSocket[] = [];
		const createSocket = (socketUrl: string) => {
			const socket = new WebSocket(socketUrl);
			sockets.push(socket);
			return socket;
		};
		const actor = createActor(connectionMachine, { input: { url, createSocket } }).start();
		cleanup.push(() => actor.stop());
		actor.send({ type: 'CONNECT' });
		const [abandoned] = sockets;
		const abandonedClosed = new Promise((resolve) => abandoned?.once('close', resolve));
		// ws reports closing a connecting socket with an 'error' event; the sink must absorb it.
		actor.send({ type: 'DISCONNECT' });
		actor.send({ type: 'CONNECT' });
		await abandonedClosed;
		await waitFor(actor, stateIs('open'));
		expect(sockets).toHaveLength(2);
		expect(abandoned?.readyState).toBe(WebSocket.CLOSED);
	});
});
