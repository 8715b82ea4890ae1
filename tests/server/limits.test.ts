/**
 * Limits that hold across connections, against a real server: the rate limit and the bound on
 * waiting chats per client id, connection caps per address and in all, slow headers, the Origin
 * check that does not trust Host, camera stills that unpack to too much, and the reasons of the
 * closes `ws` makes itself. Reproductions 3 to 6 of issue 11 are here: each failed before.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient, OpenClients } from '../support/server-client';
import { pngBomb } from '../support/png';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer | undefined;
const clients = new OpenClients();
const sockets: net.Socket[] = [];

afterEach(async () => {
	for (const socket of sockets.splice(0)) socket.destroy();
	await clients.closeAll();
	await server?.close();
	server = undefined;
});

function open(clientId: string): Promise<TestClient> {
	return clients.connect((server as TestServer).wsUrl(clientId));
}

/** A raw TCP connection that has sent part of an upgrade request and waits. */
async function halfUpgrade(port: number): Promise<net.Socket> {
	const socket = net.connect(port, '127.0.0.1');
	sockets.push(socket);
	socket.on('error', () => {});
	await new Promise((resolve) => socket.once('connect', resolve));
	socket.write('GET /ws/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
	return socket;
}

/** Everything the server writes on `socket` until it closes it. */
function responseOf(socket: net.Socket): Promise<string> {
	return new Promise((resolve) => {
		let text = '';
		socket.on('data', (data) => (text += data.toString()));
		socket.once('close', () => resolve(text));
	});
}

describe('issue 11, reproduction 3: limits per client id, across connections', () => {
	it('reconnecting does not refill the rate limit: the bucket is the client id’s', async () => {
		server = await startTestServer({ rateLimitBurst: 10, rateLimitPerSec: 0.1 });
		const first = await open('flooder');
		for (let i = 0; i < 10; i++) first.send({ type: 'ping' });
		for (let i = 0; i < 10; i++) await first.next('pong');
		await first.close();

		const second = await open('flooder');
		second.resume(0, first.credentials);
		second.send({ type: 'ping' });
		expect(await second.next('error')).toMatchObject({ code: 'rate_limited' });
		expect(await second.closed).toEqual({ code: 1008, reason: 'rate limited' });
	});

	it('bounds the chats waiting for the brain: over it, busy with the id and no ack; sent later, answered', async () => {
		server = await startTestServer({ maxPendingChats: 3, brainChunkDelayMs: 20 });
		const client = await open('eager');
		const ids = ['a', 'b', 'c', 'd', 'e'];
		for (const id of ids) client.send({ type: 'chat', id, text: 'hello' });
		const busy = [await client.next('error'), await client.next('error')];
		expect(busy).toEqual([
			expect.objectContaining({ code: 'busy', id: 'd' }),
			expect.objectContaining({ code: 'busy', id: 'e' })
		]);
		for (const id of ['a', 'b', 'c']) await client.reply(id);
		expect(client.received.filter((m) => m.type === 'ack').map((m) => m.id)).toEqual([
			'a',
			'b',
			'c'
		]);
		client.send({ type: 'chat', id: 'd', text: 'hello' });
		client.send({ type: 'chat', id: 'e', text: 'hello' });
		expect((await client.reply('d')).at(-1)?.type).toBe('reply.end');
		expect((await client.reply('e')).at(-1)?.type).toBe('reply.end');
	});

	it('a chat sent again while it waits is acked again, not refused as busy', async () => {
		server = await startTestServer({ maxPendingChats: 1, brainChunkDelayMs: 20 });
		const client = await open('repeating');
		client.send({ type: 'chat', id: 'a', text: 'hello' });
		await client.next('ack');
		client.send({ type: 'chat', id: 'a', text: 'hello' });
		expect(await client.next('ack')).toEqual({ type: 'ack', id: 'a' });
		expect(client.received.some((m) => m.type === 'error')).toBe(false);
	});
});

describe('issue 11, reproduction 4: connection caps and slow requests', () => {
	it('refuses connections over MAX_CONNECTIONS_PER_IP with 503 before any request', async () => {
		server = await startTestServer({ maxConnectionsPerIp: 3 });
		for (let i = 0; i < 3; i++) await halfUpgrade(server.port);
		const over = await halfUpgrade(server.port);
		expect(await responseOf(over)).toMatch(
			/^HTTP\/1\.1 503 .*too many connections from this address/s
		);
		expect(server.logs).toContainEqual(
			expect.objectContaining({
				event: 'connection.refused',
				reason: 'too many connections from this address'
			})
		);
	});

	it('refuses connections over MAX_CONNECTIONS with 503, and serves again once some close', async () => {
		server = await startTestServer({ maxConnections: 2 });
		const held = [await halfUpgrade(server.port), await halfUpgrade(server.port)];
		const over = net.connect(server.port, '127.0.0.1');
		sockets.push(over);
		over.on('error', () => {});
		expect(await responseOf(over)).toMatch(/^HTTP\/1\.1 503 .*too many connections/s);
		for (const socket of held) socket.destroy();
		await expect.poll(async () => (await fetch(`${server?.url}/healthz`)).status).toBe(200);
	});

	it('answers headers that do not finish within headersTimeout with 408 and closes', async () => {
		server = await startTestServer({ headersTimeoutMs: 300 });
		const slow = await halfUpgrade(server.port);
		expect(await responseOf(slow)).toMatch(/^HTTP\/1\.1 408/);
	});
});

describe('request timeouts leave idle keep-alive connections alone', () => {
	it('serves a second request on a connection idle for longer than headersTimeout', async () => {
		server = await startTestServer({ headersTimeoutMs: 200 });
		const socket = net.connect(server.port, '127.0.0.1');
		sockets.push(socket);
		socket.on('error', () => {});
		let text = '';
		socket.on('data', (data) => (text += data.toString()));
		const request = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
		socket.write(request);
		await expect.poll(() => text.match(/HTTP\/1\.1 200/g)?.length ?? 0).toBe(1);
		await new Promise((resolve) => setTimeout(resolve, 1_500)); // idle, past the timeout
		socket.write(request);
		await expect.poll(() => text.match(/HTTP\/1\.1 200/g)?.length ?? 0).toBe(2);
		expect(text).not.toMatch(/408/);
	});
});

describe('issue 11, reproduction 5: the Origin check does not trust Host', () => {
	it('refuses Origin http://evil.example:8000 with Host evil.example:8000 (DNS rebinding), as npm start runs', async () => {
		server = await startTestServer({ allowLocalhostOrigins: true });
		const client = new TestClient(server.wsUrl('rebound'), {
			origin: 'http://evil.example:8000',
			headers: { host: 'evil.example:8000' }
		});
		clients.keep(client);
		await expect(client.opened).rejects.toThrow('HTTP 403');
	});

	it('refuses a Host outside ALLOWED_HOSTS, for upgrades (403) and pages (421)', async () => {
		server = await startTestServer({ allowedHosts: ['127.0.0.1'] });
		const client = new TestClient(server.wsUrl('elsewhere'), {
			headers: { host: 'evil.example' }
		});
		clients.keep(client);
		await expect(client.opened).rejects.toThrow('HTTP 403');
		await open('here'); // Host 127.0.0.1:<port>
		const page = await new Promise<number>((resolve, reject) => {
			const socket = net.connect(server?.port ?? 0, '127.0.0.1');
			sockets.push(socket);
			socket.on('error', reject);
			socket.write('GET /healthz HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n');
			void responseOf(socket).then((text) => resolve(Number(text.split(' ')[1])));
		});
		expect(page).toBe(421);
	});
});

describe('issue 11, reproduction 6: camera stills that unpack to too much', () => {
	it(
		'answers a still that inflates to 150 MB with an apology, and keeps serving',
		{ timeout: 30_000 },
		async () => {
			server = await startTestServer();
			const client = await open('bomber');
			const data = pngBomb().toString('base64');
			client.send({ type: 'frame', id: 'f', mime: 'image/png', width: 2048, height: 2048, data });
			client.send({ type: 'chat', id: 'q', text: 'What do you see?' });
			expect((await client.reply('q')).at(-1)).toMatchObject({
				type: 'reply.end',
				text: expect.stringMatching(
					/couldn't read that picture \(PNG data larger than its header says\)/
				)
			});
		}
	);
});

describe('closes that ws makes itself carry a reason', () => {
	it('1009 "message too big" for a frame over 256 KiB', async () => {
		server = await startTestServer();
		const client = await open('oversized');
		client.sendRaw('x'.repeat(300 * 1024));
		expect(await client.closed).toEqual({ code: 1009, reason: 'message too big' });
	});

	it('1007 "invalid UTF-8" for a text frame that is not UTF-8', async () => {
		server = await startTestServer();
		const client = await open('garbled');
		client.sendRaw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), false);
		expect(await client.closed).toEqual({ code: 1007, reason: 'invalid UTF-8' });
	});
});
