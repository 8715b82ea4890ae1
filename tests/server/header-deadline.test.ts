/**
 * Issue 17, the restart storm's 408s: a client whose complete upgrade request is already in the
 * kernel while the server's event loop is stalled (thousands of handshakes at once) must not be
 * answered 408 for the server's own stall; a client that really drips its headers (slowloris,
 * issue 11) is still cut off.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer | undefined;
const sockets: net.Socket[] = [];

afterEach(async () => {
	for (const socket of sockets.splice(0)) socket.destroy();
	await server?.close();
	server = undefined;
});

const UPGRADE =
	'GET /ws/storm HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
	'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

function rawSocket(port: number): net.Socket {
	const socket = net.connect(port, '127.0.0.1');
	sockets.push(socket);
	socket.on('error', () => {});
	return socket;
}

/** Everything the server writes on `socket` until its first blank line or close. */
function statusLineOf(socket: net.Socket): Promise<string> {
	return new Promise((resolve) => {
		let text = '';
		socket.on('data', (data) => {
			text += data.toString();
			if (text.includes('\r\n')) resolve(text.slice(0, text.indexOf('\r\n')));
		});
		socket.once('close', () => resolve(text));
	});
}

/** Blocks this process's event loop, as thousands of synchronous handshakes do. */
function stallEventLoop(ms: number): void {
	const until = Date.now() + ms;
	while (Date.now() < until) {
		// busy: no timer, no socket read runs meanwhile
	}
}

describe('issue 17: a stalled event loop does not time out headers already sent', () => {
	it('upgrades a connection whose complete request waited in the kernel through a stall', async () => {
		server = await startTestServer({ headersTimeoutMs: 1_000 });
		const accepted = new Promise<void>((resolve) =>
			server?.server.httpServer.once('connection', () => resolve())
		);
		const socket = rawSocket(server.port);
		const status = statusLineOf(socket);
		await Promise.all([accepted, new Promise((resolve) => socket.once('connect', resolve))]);
		// The server has accepted (and stamped) this connection; the whole request now sits in
		// the kernel, unread, while the loop is busy for twice the headers timeout.
		socket.write(UPGRADE);
		stallEventLoop(2_000);
		expect(await status).toBe('HTTP/1.1 101 Switching Protocols');
	});

	it('still answers 408 and closes a client whose headers never finish (slowloris)', async () => {
		server = await startTestServer({ headersTimeoutMs: 500 });
		const socket = rawSocket(server.port);
		await new Promise((resolve) => socket.once('connect', resolve));
		let text = '';
		socket.on('data', (data) => (text += data.toString()));
		const closed = new Promise((resolve) => socket.once('close', resolve));
		// One header line every 200 ms, never the blank line that ends them.
		socket.write('GET /ws/slow HTTP/1.1\r\nHost: 127.0.0.1\r\n');
		let line = 0;
		const drip = setInterval(() => {
			if (!socket.destroyed) socket.write(`X-Drip-${line++}: a\r\n`);
		}, 200);
		try {
			await closed;
		} finally {
			clearInterval(drip);
		}
		expect(text).toMatch(/^HTTP\/1\.1 408/);
		expect(line).toBeGreaterThan(1); // it was dripping, not silent, when it was cut off
		expect(server.logs).toContainEqual(
			expect.objectContaining({
				event: 'connection.headers_timeout',
				bytesRead: expect.any(Number)
			})
		);
	});
});
