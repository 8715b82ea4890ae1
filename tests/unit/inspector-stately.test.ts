import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createActor, type AnyActorRef } from 'xstate';
import {
	inspectorRequestFromUrl,
	startInspector,
	type InspectorHandle,
	type InspectorStatus
} from '../../src/lib/inspector/stately';
import { safeJson } from '../../src/lib/inspector/stately-ws-adapter';
import { sampleMachine } from './inspector-sample-machine';

const cleanup: Array<() => void> = [];
afterEach(() =>
	cleanup
		.splice(0)
		.reverse()
		.forEach((fn) => fn())
);

interface Received {
	type: string;
	event?: { type: string };
	snapshot?: { value?: unknown };
	definition?: string;
}

/** A real inspector server on loopback that collects what it is sent. */
async function inspectorServer() {
	const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
	await new Promise((resolve) => server.once('listening', resolve));
	const received: Received[] = [];
	server.on('connection', (socket) =>
		socket.on('message', (data) => received.push(JSON.parse(String(data)) as Received))
	);
	cleanup.push(() => server.close());
	const { port } = server.address() as { port: number };
	return { url: `ws://127.0.0.1:${port}`, received };
}

function until(check: () => boolean): Promise<void> {
	return new Promise((resolve) => {
		const poll = () => (check() ? resolve() : setTimeout(poll, 10));
		poll();
	});
}

function statusOf(handle: InspectorHandle, wanted: InspectorStatus): Promise<void> {
	return new Promise((resolve) => {
		const stop = handle.subscribe((s) => s.status === wanted && (resolve(), queueMicrotask(stop)));
	});
}

function startWs(url: string) {
	const handle = startInspector({ mode: 'websocket', url }, { WebSocket });
	cleanup.push(() => handle.stop());
	return handle;
}

function run(actor: AnyActorRef) {
	actor.start();
	cleanup.push(() => actor.stop());
	return actor;
}

describe('inspectorRequestFromUrl', () => {
	it('asks for the browser inspector on a bare ?inspect', () => {
		expect(inspectorRequestFromUrl('http://h/?inspect')).toEqual({ mode: 'browser' });
		expect(inspectorRequestFromUrl('http://h/?inspect=1')).toEqual({ mode: 'browser' });
	});

	it('asks for the socket inspector when ?inspect names a ws:// or wss:// address', () => {
		expect(inspectorRequestFromUrl('http://h/?inspect=ws://127.0.0.1:8080')).toEqual({
			mode: 'websocket',
			url: 'ws://127.0.0.1:8080'
		});
		expect(inspectorRequestFromUrl('http://h/?inspect=wss://x.example/i')).toMatchObject({
			mode: 'websocket'
		});
	});

	it('asks for nothing without ?inspect or with ?inspect=false', () => {
		expect(inspectorRequestFromUrl('http://h/')).toBeNull();
		expect(inspectorRequestFromUrl('http://h/?inspect=false')).toBeNull();
	});
});

describe('startInspector with a WebSocket inspector', () => {
	it('sends the actor, its events and its snapshots to the inspector server', async () => {
		const server = await inspectorServer();
		const handle = startWs(server.url);
		const actor = run(createActor(sampleMachine, { inspect: handle.inspect }));
		actor.send({ type: 'CONNECT' });
		actor.send({ type: 'socket.open' });
		await until(() => server.received.some((e) => e.event?.type === 'socket.open'));
		expect(handle.status).toBe('open');
		const actorEvent = server.received.find((e) => e.type === '@xstate.actor');
		expect(JSON.parse(actorEvent!.definition!)).toMatchObject({ id: 'sample' });
		expect(server.received).toContainEqual(
			expect.objectContaining({ type: '@xstate.event', event: { type: 'CONNECT' } })
		);
		expect(server.received).toContainEqual(
			expect.objectContaining({
				type: '@xstate.snapshot',
				snapshot: expect.objectContaining({ value: { live: 'open' } })
			})
		);
	});

	it('inspects an actor that was already running when attached', async () => {
		const server = await inspectorServer();
		const handle = startWs(server.url);
		const actor = run(createActor(sampleMachine));
		cleanup.push(handle.attach(actor));
		actor.send({ type: 'CONNECT' });
		await until(() => server.received.some((e) => e.type === '@xstate.snapshot'));
		expect(server.received[0]).toMatchObject({
			type: '@xstate.actor',
			snapshot: { value: 'idle' }
		});
		expect(server.received).toContainEqual(
			expect.objectContaining({ type: '@xstate.event', event: { type: 'CONNECT' } })
		);
	});

	it('reports a refused inspector and lets the actor run on', async () => {
		const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
		await new Promise((resolve) => server.once('listening', resolve));
		const { port } = server.address() as { port: number };
		await new Promise((resolve) => server.close(resolve));
		const handle = startWs(`ws://127.0.0.1:${port}`);
		await statusOf(handle, 'unreachable');
		expect(handle.error).toContain(`ws://127.0.0.1:${port}`);
		const actor = run(createActor(sampleMachine, { inspect: handle.inspect }));
		actor.send({ type: 'CONNECT' });
		expect(actor.getSnapshot().value).toEqual({ live: 'connecting' });
	});

	it('reports a malformed address instead of throwing', () => {
		const handle = startWs('ws://[not a host');
		expect(handle.status).toBe('failed');
		expect(handle.error).toMatch(/Bad inspector address/);
	});
});

describe('startInspector with the browser inspector', () => {
	it('fails softly where there is no window', () => {
		const handle = startInspector({ mode: 'browser' });
		expect(handle.status).toBe('failed');
		expect(handle.inspect).toBeUndefined();
		expect(handle.attach(run(createActor(sampleMachine)))).toBeTypeOf('function');
	});

	it('says the pop-up was blocked when the browser refuses to open it', () => {
		const listeners: string[] = [];
		// The one edge faked here: a browser window whose pop-up blocker refuses window.open.
		const blockingWindow = {
			open: () => null,
			addEventListener: (type: string) => listeners.push(type),
			removeEventListener: () => {}
		} as unknown as Window;
		const handle = startInspector({ mode: 'browser' }, { window: blockingWindow });
		cleanup.push(() => handle.stop());
		expect(handle.status).toBe('blocked');
		expect(handle.error).toMatch(/pop-up/);
		expect(handle.inspect).toBeDefined();
	});
});

describe('safeJson', () => {
	it('writes cycles as [Circular] and keeps repeated but acyclic objects', () => {
		const shared = { a: 1 };
		const cyclic: Record<string, unknown> = { shared, again: shared };
		cyclic.self = cyclic;
		expect(JSON.parse(safeJson(cyclic))).toEqual({
			shared: { a: 1 },
			again: { a: 1 },
			self: '[Circular]'
		});
	});
});
