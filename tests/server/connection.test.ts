import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/lib/server/config';
import { eventually, TestClient, OpenClients } from '../support/server-client';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
const clients = new OpenClients();

function open(clientId: string, options = {}): Promise<TestClient> {
	return clients.connect(server.wsUrl(clientId), options);
}

afterEach(async () => {
	await clients.closeAll();
	await server?.close();
});

describe('connection behaviour', () => {
	it('sends connected first, with the client id, a session id, the server time and the ping interval', async () => {
		server = await startTestServer({ pingIntervalMs: 12_345 });
		const client = new TestClient(server.wsUrl('test-client'));
		clients.keep(client);
		const first = await client.nextMatching(() => true, 'the first message');
		expect(first).toMatchObject({
			type: 'connected',
			clientId: 'test-client',
			pingIntervalMs: 12_345
		});
		if (first.type !== 'connected') return;
		expect(first.sessionId).toMatch(/^[0-9a-f-]{36}$/);
		expect(typeof first.serverTime).toBe('number');
		expect(first.resumedFrom).toBeUndefined();
	});

	it('names the previous session of the same client id in resumedFrom', async () => {
		server = await startTestServer();
		const first = new TestClient(server.wsUrl('again'));
		const connected = await first.next('connected');
		await first.close();
		const second = new TestClient(server.wsUrl('again'));
		clients.keep(second);
		expect(await second.next('connected')).toMatchObject({ resumedFrom: connected.sessionId });
	});

	it('sends a JSON ping with a timestamp every pingIntervalMs and counts the pongs', async () => {
		server = await startTestServer({ pingIntervalMs: 40 });
		const client = await open('pinged');
		const pings = [await client.next('ping'), await client.next('ping'), await client.next('ping')];
		expect(pings.map((ping) => ping.ts)).toEqual([...pings.map((ping) => ping.ts)].sort());
		for (const ping of pings) client.send({ type: 'pong', ts: ping.ts });
		client.send({ type: 'chat', id: 'q', text: 'how many pings?' });
		const reply = await client.reply('q');
		const end = reply.at(-1);
		expect(end?.type).toBe('reply.end');
		expect(end && 'text' in end ? end.text : '').toMatch(/you answered 3 times/);
	});

	it('answers a client ping with a pong carrying the server time', async () => {
		server = await startTestServer();
		const client = await open('prober');
		const before = Date.now();
		client.send({ type: 'ping' });
		const pong = await client.next('pong');
		expect(pong.ts).toBeGreaterThanOrEqual(before);
	});

	it('sends protocol-level pings every wsPingIntervalMs', async () => {
		server = await startTestServer({ wsPingIntervalMs: 30 });
		const client = await open('framed');
		let pings = 0;
		client.ws.on('ping', () => (pings += 1));
		await eventually(() => pings >= 3, 'three protocol pings arrived');
		expect(client.ws.readyState).toBe(client.ws.OPEN);
	});

	it('sends no protocol ping to a peer that answers the JSON pings, and pings it once it falls silent', async () => {
		server = await startTestServer({ pingIntervalMs: 20, wsPingIntervalMs: 600 });
		const client = await open('chatty');
		let answering = true;
		let framePings = 0;
		client.ws.on('ping', () => (framePings += 1));
		client.ws.on('message', (data) => {
			const message = JSON.parse(String(data)) as { type: string; ts?: number };
			if (answering && message.type === 'ping') client.send({ type: 'pong', ts: message.ts ?? 0 });
		});
		await new Promise((resolve) => setTimeout(resolve, 1_500)); // two protocol-ping periods
		expect(framePings).toBe(0);
		answering = false;
		await eventually(() => framePings >= 1, 'a protocol ping reached the silent peer');
		expect(client.ws.readyState).toBe(client.ws.OPEN);
	});

	it('keeps a peer that answers protocol pings, past the ping timeout', async () => {
		server = await startTestServer({ wsPingIntervalMs: 20, wsPingTimeoutMs: 100 });
		const client = await open('answers');
		let pings = 0;
		client.ws.on('ping', () => (pings += 1));
		// 20 pings at 20 ms apart span well over the 100 ms timeout.
		await eventually(() => pings >= 20, 'twenty protocol pings arrived');
		expect(client.ws.readyState).toBe(client.ws.OPEN);
	});

	it('terminates a peer that answers no protocol ping within wsPingTimeoutMs', async () => {
		server = await startTestServer({ wsPingIntervalMs: 20, wsPingTimeoutMs: 150 });
		const client = await open('silent', { autoPong: false });
		expect(await client.closed).toEqual({ code: 1006, reason: '' });
		const closeLine = () =>
			server.logs.find((log) => log.event === 'connection.close' && log.clientId === 'silent');
		await eventually(() => closeLine() !== undefined, 'the close is logged');
		expect(closeLine()).toMatchObject({ code: 1006, reason: 'keepalive timeout', by: 'server' });
	});

	it('counts any message as a sign of life: a talking peer that answers no protocol ping stays', async () => {
		server = await startTestServer({ wsPingIntervalMs: 20, wsPingTimeoutMs: 300 });
		const client = await open('talker', { autoPong: false });
		const talking = setInterval(() => client.send({ type: 'ping' }), 30);
		await new Promise((resolve) => setTimeout(resolve, 1_200)); // four timeouts' worth
		clearInterval(talking);
		expect(client.ws.readyState).toBe(client.ws.OPEN);
		expect(await client.closed).toEqual({ code: 1006, reason: '' }); // silent now: terminated
	});

	it('replaces an older connection with the same client id: 1000 "replaced"', async () => {
		server = await startTestServer();
		const older = await open('twin');
		const newer = await open('twin');
		newer.resume(0, older.credentials);
		expect(await older.closed).toEqual({ code: 1000, reason: 'replaced' });
		newer.send({ type: 'ping' });
		expect(await newer.next('pong')).toMatchObject({ type: 'pong' });
		expect(await server.health()).toMatchObject({ connections: 1, clients: 1 });
	});

	it('reports the connection count on GET /healthz', async () => {
		server = await startTestServer();
		expect(await server.health()).toMatchObject({ ok: true, connections: 0, clients: 0 });
		const one = await open('one');
		await open('two');
		expect(await server.health()).toMatchObject({ ok: true, connections: 2, clients: 2 });
		await one.close();
		await eventually(
			async () => (await server.health()).connections === 1,
			'one connection is left'
		);
		const response = await fetch(`${server.url}/healthz`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('application/json');
	});

	it('logs one line per connection opened and closed, with id, code and reason', async () => {
		server = await startTestServer();
		const client = await open('logged');
		await client.close(4001);
		await eventually(
			() => server.logs.some((log) => log.event === 'connection.close'),
			'the close is logged'
		);
		expect(server.logs.filter((log) => log.event === 'connection.open')).toEqual([
			expect.objectContaining({ clientId: 'logged', sessionId: expect.any(String) })
		]);
		expect(server.logs.filter((log) => log.event === 'connection.close')).toEqual([
			expect.objectContaining({ clientId: 'logged', code: 4001, reason: '', by: 'client' })
		]);
	});

	it('closes idle HTTP keep-alive connections after keepAliveTimeoutMs (30 s by default)', async () => {
		expect(DEFAULT_CONFIG.keepAliveTimeoutMs).toBe(30_000);
		server = await startTestServer({ keepAliveTimeoutMs: 100 });
		expect(server.server.httpServer.keepAliveTimeout).toBe(100);
		const socket = net.connect(server.port, '127.0.0.1');
		let response = '';
		socket.on('data', (chunk) => (response += chunk.toString()));
		// 'end' means the server finished the TCP connection; the test never ends it.
		const endedByServer = new Promise((resolve) => socket.on('end', () => resolve(true)));
		socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
		expect(await endedByServer).toBe(true);
		expect(response).toMatch(/^HTTP\/1\.1 200 OK/);
		expect(response).toMatch(/Connection: keep-alive/i);
		socket.destroy();
	});
});
