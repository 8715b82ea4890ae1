import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy';
import { eventually, TestClient, OpenClients } from '../support/server-client';
import { startServerProcess, type ServerProcess } from '../../support/server-process';

// One real server process (scripts/serve.ts) for the file; a fresh proxy in front of it per test.
// A short JSON ping interval gives a steady stream of server bytes to drop, delay or pass.
const PING_INTERVAL_MS = 50;

let server: ServerProcess;
let proxy: FaultProxy;
const clients = new OpenClients();

beforeAll(async () => {
	// The ordering test sends 30 chats at once: above the default bound of chats that may wait.
	server = await startServerProcess({
		env: { PING_INTERVAL_MS: String(PING_INTERVAL_MS), MAX_PENDING_CHATS: '30' }
	});
}, 30_000);

afterAll(async () => {
	await server?.kill();
});

afterEach(async () => {
	await clients.closeAll();
	await proxy?.close();
	// Each test starts with no socket left on the server.
	await eventually(async () => (await serverConnections()) === 0, 'the server has no sockets');
});

async function newProxy(): Promise<FaultProxy> {
	proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: server.port } });
	return proxy;
}

/** A client through the proxy (or straight to the server), closed after the test. */
function connect(id: string, via: 'proxy' | 'direct' = 'proxy'): Promise<TestClient> {
	return clients.connect(via === 'proxy' ? proxy.wsUrl(id) : server.wsUrl(id));
}

function open(id: string): TestClient {
	return clients.keep(new TestClient(proxy.wsUrl(id)));
}

/** Open sockets as the server counts them (its /healthz, asked directly). */
async function serverConnections(): Promise<number> {
	const health = (await (await fetch(`${server.url}/healthz`)).json()) as { connections: number };
	return health.connections;
}

/**
 * Waits until a client straight to the server has received `count` more pings: by then the
 * server has sent pings on every older connection too (same interval, started earlier).
 */
async function witnessPings(witness: TestClient, count: number): Promise<void> {
	for (let i = 0; i < count; i += 1) await witness.next('ping');
}

/** Sends a ping probe and resolves with the round trip in ms. */
async function roundTrip(client: TestClient): Promise<number> {
	const before = performance.now();
	client.send({ type: 'ping' });
	await client.next('pong');
	return performance.now() - before;
}

const ackIds = (client: TestClient) =>
	client.received.flatMap((message) => (message.type === 'ack' ? [message.id] : []));

describe('the fault proxy', { timeout: 10_000 }, () => {
	it('passes sockets and HTTP through in pass mode, and counts its connections', async () => {
		await newProxy();
		expect(proxy.mode).toBe('pass');
		const client = await connect('pass-a');
		expect(client.received[0]).toMatchObject({ type: 'connected', clientId: 'pass-a' });
		expect(await roundTrip(client)).toBeGreaterThanOrEqual(0);
		expect(proxy.connections()).toBe(1);
		expect((await fetch(proxy.url('/healthz'))).status).toBe(200);
	});

	it('in blackhole keeps the socket open on both ends but forwards nothing, and drops it', async () => {
		await newProxy();
		const client = await connect('dark-a');
		const witness = await connect('dark-witness', 'direct');
		proxy.setMode('blackhole');
		const before = client.received.length;
		client.send({ type: 'ping' });
		await witnessPings(witness, 3);
		expect(client.received.length).toBe(before);
		expect(client.ws.readyState).toBe(client.ws.OPEN);
		expect(await serverConnections()).toBe(2);
		expect(proxy.connections()).toBe(1);
		// Dropped, not buffered: the broken stream is reset when the link comes back.
		proxy.setMode('pass');
		expect((await client.closed).code).toBe(1006);
		expect(client.received.length).toBe(before);
	});

	it('in blackhole holds new connections without a handshake, and resets them afterwards', async () => {
		await newProxy();
		const witness = await connect('held-witness', 'direct');
		proxy.setMode('blackhole');
		const held = open('held-a');
		await eventually(() => proxy.connections() === 1, 'the proxy accepted the connection');
		await witnessPings(witness, 3);
		expect(held.ws.readyState).toBe(held.ws.CONNECTING);
		proxy.setMode('pass');
		await expect(held.opened).rejects.toThrow('closed 1006 before opening');
		expect((await connect('held-b')).received[0]).toMatchObject({ type: 'connected' });
	});

	it('in hold keeps new handshakes waiting, then lets them through with what they sent', async () => {
		await newProxy();
		const witness = await connect('hold-witness', 'direct');
		const before = await connect('hold-before');
		proxy.setMode('hold');
		const waiting = open('hold-waiting');
		await eventually(() => proxy.held() === 1, 'the proxy holds the connection');
		await witnessPings(witness, 3);
		expect(waiting.ws.readyState).toBe(waiting.ws.CONNECTING);
		expect(await roundTrip(before)).toBeGreaterThanOrEqual(0); // open ones keep flowing
		proxy.setMode('pass');
		await waiting.opened;
		expect((await waiting.next('connected')).clientId).toBe('hold-waiting');
		expect(proxy.held()).toBe(0);
	});

	it('in hold drops a connection whose client gave up, and never sends it on', async () => {
		await newProxy();
		proxy.setMode('hold');
		const gaveUp = open('hold-gave-up');
		await eventually(() => proxy.held() === 1, 'the proxy holds the connection');
		gaveUp.ws.terminate();
		await eventually(() => proxy.held() === 0, 'the proxy dropped the connection');
		proxy.setMode('pass');
		const witness = await connect('hold-after');
		await witnessPings(witness, 2);
		expect(await serverConnections()).toBe(1); // the witness only
	});

	it('in blackhole hides a client that went away, until the link comes back', async () => {
		await newProxy();
		const gone = await connect('gone-a');
		const witness = await connect('gone-witness', 'direct');
		proxy.setMode('blackhole');
		gone.ws.terminate(); // its FIN is lost: the server end stays open behind the proxy
		await gone.closed;
		await witnessPings(witness, 3);
		expect(proxy.connections()).toBe(1);
		expect(await serverConnections()).toBe(2);
		proxy.setMode('pass');
		await eventually(async () => (await serverConnections()) === 1, 'the server saw it go');
		expect(proxy.connections()).toBe(0);
	});

	it('lets a connection that lost nothing in blackhole carry on afterwards', async () => {
		await newProxy();
		const socket = net.connect(proxy.port, proxy.host);
		await new Promise((resolve) => socket.once('connect', resolve));
		await eventually(() => proxy.connections() === 1, 'the proxy accepted the connection');
		proxy.setMode('blackhole');
		proxy.setMode('pass');
		const answer = new Promise<string>((resolve) => socket.once('data', (d) => resolve(`${d}`)));
		socket.write('GET /healthz HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n');
		expect(await answer).toMatch(/^HTTP\/1\.1 200/);
		socket.destroy();
	});

	it('reset() cuts every current connection with a reset and stays in its mode', async () => {
		await newProxy();
		const [a, b] = [await connect('reset-a'), await connect('reset-b')];
		expect(proxy.reset()).toBe(2);
		expect((await a.closed).code).toBe(1006);
		expect((await b.closed).code).toBe(1006);
		await eventually(async () => (await serverConnections()) === 0, 'the server saw both go');
		expect(proxy.connections()).toBe(0);
		expect(proxy.mode).toBe('pass');
		expect((await connect('reset-c')).received[0]).toMatchObject({ type: 'connected' });
	});

	it('in refuse resets new connections at once while open ones keep flowing', async () => {
		await newProxy();
		const old = await connect('refuse-old');
		proxy.setMode('refuse');
		const refused = open('refuse-new');
		await expect(refused.opened).rejects.toThrow('closed 1006 before opening');
		expect(await roundTrip(old)).toBeGreaterThanOrEqual(0);
		expect(proxy.connections()).toBe(1);
		proxy.setMode('pass');
		expect((await connect('refuse-after')).received[0]).toMatchObject({ type: 'connected' });
	});

	it('in latency delays each direction by the given ms', async () => {
		await newProxy();
		const client = await connect('slow-a');
		proxy.setMode('latency', { ms: 150 });
		expect(proxy.latencyMs).toBe(150);
		// There and back: at least twice the delay (1 ms of slack for clock rounding).
		expect(await roundTrip(client)).toBeGreaterThanOrEqual(299);
	});

	it('keeps bytes in order when the delay changes or latency ends mid-stream', async () => {
		await newProxy();
		const client = await connect('order-a');
		const ids = Array.from({ length: 30 }, (_, i) => `m${i}`);
		proxy.setMode('latency', { ms: 200 });
		for (const id of ids.slice(0, 10)) client.send({ type: 'chat', id, text: id });
		proxy.setMode('latency', { ms: 10 });
		for (const id of ids.slice(10, 20)) client.send({ type: 'chat', id, text: id });
		proxy.setMode('pass');
		for (const id of ids.slice(20)) client.send({ type: 'chat', id, text: id });
		await eventually(() => ackIds(client).length === ids.length, 'every chat was acked');
		expect(ackIds(client)).toEqual(ids);
	});

	it('refuses a bad latency', async () => {
		await newProxy();
		expect(() => proxy.setMode('latency', { ms: -1 })).toThrow(RangeError);
		expect(proxy.mode).toBe('pass');
	});

	it('close() ends every connection, stops listening, and is safe to call twice', async () => {
		await newProxy();
		const client = await connect('closing-a');
		proxy.setMode('latency', { ms: 1_000 }); // a queued delivery must not outlive close()
		client.send({ type: 'ping' });
		await Promise.all([proxy.close(), proxy.close()]);
		expect((await client.closed).code).toBe(1006);
		expect(proxy.connections()).toBe(0);
		await eventually(async () => (await serverConnections()) === 0, 'the server saw it go');
		const refused = await new Promise<string>((resolve) => {
			const socket = net.connect(proxy.port, proxy.host);
			socket.once('connect', () => resolve('connected'));
			socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? ''));
		});
		expect(refused).toBe('ECONNREFUSED');
	});

	// Restarting the server process takes seconds on a busy machine.
	it(
		'passes a server crash on to its clients, and reaches the restarted server',
		{ timeout: 30_000 },
		async () => {
			await newProxy();
			const client = await connect('crash-a');
			await server.kill();
			expect((await client.closed).code).toBe(1006);
			await eventually(() => proxy.connections() === 0, 'the proxy dropped the pair');
			const whileDown = open('crash-down');
			await expect(whileDown.opened).rejects.toThrow('closed 1006 before opening');
			await server.restart();
			expect((await connect('crash-b')).received[0]).toMatchObject({ type: 'connected' });
		}
	);
});
