import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/lib/server/store/memory-store';
import type { MessageStore } from '../../src/lib/server/store/message-store';
import { asyncStore } from '../../src/lib/server/store/sync-store';
import { connectClient, TestClient } from '../support/server-client';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;

afterEach(async () => {
	await server?.close();
});

/** A well-behaved client on its own connection still gets served. */
async function expectStillServing(): Promise<void> {
	const client = await connectClient(server.wsUrl('well-behaved'));
	client.send({ type: 'ping' });
	expect(await client.next('pong')).toMatchObject({ type: 'pong' });
	await client.close();
}

/** The HTTP status of a refused handshake. */
async function refusedWith(url: string, origin?: string): Promise<string> {
	const client = new TestClient(url, origin ? { origin } : {});
	return client.opened.then(
		() => 'opened',
		(error: Error) => error.message
	);
}

describe('the upgrade at /ws/:clientId', () => {
	it.each([
		['an id with a space', 'has%20space'],
		['an id with a slash', 'a%2Fb'],
		['an id of 65 characters', 'x'.repeat(65)],
		['an empty id', ''],
		['an id with an accent', '%C3%A9mile'],
		['an id that is not valid percent-encoding', '%E0%A4%A']
	])('accepts and closes %s with 4400 "invalid client id"', async (_what, rawId) => {
		server = await startTestServer();
		const client = new TestClient(`ws://127.0.0.1:${server.port}/ws/${rawId}`);
		await client.opened;
		expect(await client.closed).toEqual({ code: 4400, reason: 'invalid client id' });
		expect(client.received).toEqual([]);
		await expectStillServing();
	});

	it('accepts an id of 64 characters from the allowed alphabet', async () => {
		server = await startTestServer();
		const id = 'Az09_-'.repeat(10) + 'abcd';
		const client = await connectClient(server.wsUrl(id));
		expect(client.received[0]).toMatchObject({ type: 'connected', clientId: id });
		await client.close();
	});

	it('refuses a foreign Origin with HTTP 403 before the upgrade', async () => {
		server = await startTestServer({ allowLocalhostOrigins: false });
		expect(await refusedWith(server.wsUrl('victim'), 'https://evil.example')).toBe('HTTP 403');
		expect(server.logs.find((log) => log.event === 'upgrade.refused')).toMatchObject({
			status: 403,
			origin: 'https://evil.example'
		});
		expect(server.logs.some((log) => log.event === 'connection.open')).toBe(false);
		await expectStillServing();
	});

	it('in production accepts only the configured origins, not the Host’s own', async () => {
		server = await startTestServer({
			allowLocalhostOrigins: false,
			allowedOrigins: ['https://talkline.example']
		});
		const listed = await connectClient(server.wsUrl('listed'), {
			origin: 'https://talkline.example'
		});
		expect(listed.received[0]?.type).toBe('connected');
		await listed.close();
		expect(await refusedWith(server.wsUrl('own'), server.url)).toBe('HTTP 403');
		expect(await refusedWith(server.wsUrl('other'), 'https://talkline.example:8443')).toBe(
			'HTTP 403'
		);
	});

	it('accepts localhost origins in development and refuses them in production', async () => {
		server = await startTestServer({ allowLocalhostOrigins: true });
		const dev = await connectClient(server.wsUrl('dev'), { origin: 'http://localhost:5173' });
		expect(dev.received[0]?.type).toBe('connected');
		await dev.close();
		await server.close();
		server = await startTestServer({ allowLocalhostOrigins: false });
		expect(await refusedWith(server.wsUrl('prod'), 'http://localhost:5173')).toBe('HTTP 403');
	});

	it('refuses upgrades on any other path with 404', async () => {
		server = await startTestServer();
		expect(await refusedWith(`ws://127.0.0.1:${server.port}/socket`)).toBe('HTTP 404');
		expect(await refusedWith(`ws://127.0.0.1:${server.port}/ws`)).toBe('HTTP 404');
		await expectStillServing();
	});

	it('survives a client that resets the TCP connection in the middle of the handshake', async () => {
		server = await startTestServer();
		const socket = net.connect(server.port, '127.0.0.1');
		await new Promise((resolve) => socket.once('connect', resolve));
		socket.write(
			'GET /ws/half HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
		);
		socket.resetAndDestroy();
		await expectStillServing();
	});

	it('sends the 101 and the `connected` that follows it in one write: one packet, one wake-up of the client', async () => {
		server = await startTestServer();
		const socket = net.connect(server.port, '127.0.0.1');
		await new Promise((resolve) => socket.once('connect', resolve));
		const firstRead = new Promise<string>((resolve) =>
			socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1')))
		);
		socket.write(
			'GET /ws/one-write HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
				'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'
		);
		const chunk = await firstRead;
		socket.destroy();
		expect(chunk).toMatch(/^HTTP\/1\.1 101 /);
		expect(chunk).toContain('"type":"connected","clientId":"one-write"');
	});

	it('closes with 1013 when the store cannot say who the client id is, and serves once it can', async () => {
		const working = asyncStore(new MemoryStore());
		let away = true;
		const store: MessageStore = {
			...working,
			arrive: (batch) =>
				away ? Promise.reject(new Error('the store is away')) : working.arrive(batch)
		};
		server = await startTestServer({}, { store });
		const refused = new TestClient(server.wsUrl('store-away'));
		await refused.opened;
		// The socket was corked for the 101 (upgrade.ts): the close must still leave.
		expect(await refused.closed).toEqual({ code: 1013, reason: 'store unavailable' });
		expect(server.logs).toContainEqual(
			expect.objectContaining({ event: 'store.unavailable', clientId: 'store-away' })
		);
		away = false;
		const client = await connectClient(server.wsUrl('store-away'));
		expect(client.received[0]).toMatchObject({ type: 'connected', clientId: 'store-away' });
		await client.close();
	});

	it('answers 503 to new sockets once shutting down', async () => {
		server = await startTestServer();
		const live = await connectClient(server.wsUrl('live'));
		const closing = server.close();
		expect(await refusedWith(server.wsUrl('late'))).toMatch(/HTTP 503|ECONNREFUSED|closed/);
		expect(await live.closed).toEqual({ code: 1012, reason: 'service restart' });
		await closing;
	});
});
