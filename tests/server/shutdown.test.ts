import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/server-client';
import { startServerProcess, type ServerProcess } from '../../support/server-process';

// A real child process running scripts/serve.ts; starting one takes a second or two.
// The signal tests skip on Windows: Node cannot send SIGTERM or SIGINT to another process there
// (`kill` ends it at once), so a graceful stop is reached through Ctrl+C in the server's own
// console, which a test cannot press.
const posixSignals = process.platform !== 'win32';
describe('the server process', { timeout: 30_000 }, () => {
	let server: ServerProcess;

	beforeAll(async () => {
		server = await startServerProcess({ env: { PING_INTERVAL_MS: '200' } });
	}, 30_000);

	afterAll(async () => {
		await server?.kill();
	});

	it('serves /healthz and the socket on one port, with JSON pings at PING_INTERVAL_MS', async () => {
		const health = await fetch(`${server.url}/healthz`);
		expect(health.status).toBe(200);
		const client = await connectClient(server.wsUrl('test-client'));
		expect(client.received[0]).toMatchObject({
			type: 'connected',
			clientId: 'test-client',
			pingIntervalMs: 200
		});
		const [first, second] = [await client.next('ping'), await client.next('ping')];
		expect(second.ts).toBeGreaterThan(first.ts);
		await client.close();
	});

	it('restarts on the same port, and clients can connect again', async () => {
		const port = server.port;
		await server.restart();
		expect(server.port).toBe(port);
		const client = await connectClient(server.wsUrl('after-restart'));
		expect(client.received[0]).toMatchObject({ type: 'connected', clientId: 'after-restart' });
		await client.close();
	});

	it.runIf(posixSignals)(
		'on SIGTERM closes every live socket with 1012 "service restart" and exits 0',
		async () => {
			const clients = await Promise.all(
				['a', 'b', 'c'].map((id) => connectClient(server.wsUrl(id)))
			);
			clients[0]?.send({ type: 'chat', id: 'mid-reply', text: 'what can you do?' }); // a reply in flight
			const exit = await server.stop('SIGTERM');
			const closes = await Promise.all(clients.map((client) => client.closed));
			expect(closes).toEqual(clients.map(() => ({ code: 1012, reason: 'service restart' })));
			expect(exit).toEqual({ code: 0, signal: null });
			expect(server.output()).toMatch(/"event":"server\.stopping","signal":"SIGTERM"/);
		}
	);

	it.runIf(posixSignals)('on SIGINT exits 0 too', async () => {
		await server.restart();
		const client = await connectClient(server.wsUrl('interrupted'));
		expect(await server.stop('SIGINT')).toEqual({ code: 0, signal: null });
		expect(await client.closed).toEqual({ code: 1012, reason: 'service restart' });
	});

	it('dies at once on SIGKILL, leaving clients with an abnormal close', async () => {
		await server.restart();
		const client = await connectClient(server.wsUrl('crashed'));
		expect(await server.kill()).toEqual({ code: null, signal: 'SIGKILL' });
		expect((await client.closed).code).toBe(1006);
	});
});
