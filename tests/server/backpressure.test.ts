import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/lib/server/store/memory-store';
import { eventually, OpenClients } from '../support/server-client';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
const clients = new OpenClients();

afterEach(async () => {
	await clients.closeAll();
	await server.close();
});

/** A store holding `count` stored replies of `size` characters each for a client id. */
function storeWithBacklog(clientId: string, count: number, size: number): MemoryStore {
	const store = new MemoryStore();
	for (let i = 0; i < count; i++) {
		store.appendServerMessage(clientId, {
			type: 'reply.end',
			replyId: `r${i}`,
			text: 'x'.repeat(size)
		});
	}
	return store;
}

describe('backpressure', () => {
	it('gives up a client that stops reading before its queue passes the limit', async () => {
		// 39 MiB of backlog: far more than the kernel's socket buffers can hide.
		const store = storeWithBacklog('slow', 200, 200 * 1024);
		const maxBufferedBytes = 1024 * 1024;
		server = await startTestServer({ maxBufferedBytes, sendStallTimeoutMs: 300 }, { store });
		const slow = await clients.connect(server.wsUrl('slow'));
		slow.ws.pause(); // reads nothing from here on
		slow.send({ type: 'resume', lastSeq: 0 });
		const terminated = () =>
			server.logs.find((log) => log.event === 'connection.close' && log.clientId === 'slow');
		await eventually(() => terminated() !== undefined, 'the slow client is closed');
		expect(terminated()).toMatchObject({ code: 1006, reason: 'backpressure', by: 'server' });
		// It was given up with a full queue (not for another reason), and never past the limit.
		const line = server.logs.find((log) => log.event === 'connection.terminated');
		expect(line?.bufferedBytes).toBeGreaterThan(maxBufferedBytes / 2);
		expect(line?.bufferedBytes).toBeLessThanOrEqual(maxBufferedBytes);
		slow.ws.resume();
		expect((await slow.closed).code).toBe(1006);
		expect(slow.received.filter((m) => m.type === 'reply.end').length).toBeLessThan(200);
		expect(await server.health()).toMatchObject({ connections: 0 });
	});

	it('replays a backlog far larger than the limit in full to a client that reads', async () => {
		const store = storeWithBacklog('reader', 96, 200 * 1024);
		server = await startTestServer(
			{ maxBufferedBytes: 1024 * 1024, sendStallTimeoutMs: 3_000 },
			{ store }
		);
		const reader = await clients.connect(server.wsUrl('reader'));
		reader.send({ type: 'resume', lastSeq: 0 });
		await eventually(
			() => reader.received.filter((m) => m.type === 'reply.end').length === 96,
			'all 96 arrive'
		);
		const seqs = reader.received.flatMap((m) => ('seq' in m ? [m.seq] : []));
		expect(seqs).toEqual(Array.from({ length: 96 }, (_v, i) => i + 1));
		expect(server.logs.some((log) => log.event === 'connection.terminated')).toBe(false);
	});

	it('keeps serving other clients while one is stuck', async () => {
		const store = storeWithBacklog('stuck', 96, 200 * 1024);
		server = await startTestServer(
			{ maxBufferedBytes: 1024 * 1024, sendStallTimeoutMs: 5_000 },
			{ store }
		);
		const stuck = await clients.connect(server.wsUrl('stuck'));
		stuck.ws.pause();
		stuck.send({ type: 'resume', lastSeq: 0 });
		const other = await clients.connect(server.wsUrl('other'));
		other.send({ type: 'chat', id: 'm', text: 'hello' });
		expect((await other.reply('m')).at(-1)).toMatchObject({ type: 'reply.end' });
		stuck.ws.terminate();
	});
});
