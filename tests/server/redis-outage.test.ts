/**
 * Redis down (issue 14): /healthz answers 503 with the reason, a chat that cannot be stored is
 * not acked and gets `unavailable` with its id, and once Redis is back the same server serves
 * again without a restart. An in-process server on a real redis-server that the test stops.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithRedis, startRedisServer, type TestRedis } from '../support/redis-server';
import { eventually, OpenClients, type TestClient } from '../support/server-client';
import { removeTempDirs } from '../support/temp-dir';
import { startTestServer, type TestServer } from '../support/test-server';

let redis: TestRedis | undefined;
let server: TestServer | undefined;

const clients = new OpenClients();

async function healthz(): Promise<{ status: number; body: { ok: boolean; reason?: string } }> {
	const response = await fetch(`${server?.url}/healthz`);
	return { status: response.status, body: (await response.json()) as { ok: boolean } };
}

describeWithRedis('when Redis goes down and comes back', () => {
	beforeAll(async () => {
		redis = await startRedisServer();
		server = await startTestServer({
			store: 'redis',
			redisUrl: redis.url,
			redisPrefix: `outage-${randomUUID().slice(0, 8)}:`,
			redisTimeoutMs: 500
		});
		await eventually(async () => (await healthz()).status === 200, 'the server is ready');
	});

	afterAll(async () => {
		await clients.closeAll();
		await server?.close();
		await redis?.stop();
		removeTempDirs();
	});

	it('says 503 with the reason, refuses chats as unavailable without an ack, and resumes by itself', async () => {
		const client = await open('outage');
		client.send({ type: 'chat', id: 'before', text: 'hello' });
		expect(await client.next('ack')).toEqual({ type: 'ack', id: 'before' });
		expect((await client.reply('before')).at(-1)?.type).toBe('reply.end');

		await redis?.stop();
		await refusesWhileDown(client, 'during');

		// Back, empty (the test's Redis keeps nothing): a client starting now is served again.
		await redis?.start();
		await eventually(async () => (await healthz()).status === 200, '/healthz is 200 again');
		client.send({ type: 'chat', id: 'during', text: 'hello?' }); // the outbox sends it again
		expect(await client.next('ack')).toEqual({ type: 'ack', id: 'during' });
		const later = await open('after-outage');
		later.send({ type: 'chat', id: 'm', text: 'hello' });
		expect((await later.reply('m')).at(-1)?.type).toBe('reply.end');
	}, 20_000);

	it('says 503 while Redis hangs, and goes on with the same conversation when it answers again', async () => {
		const slow = await open('slow');
		slow.send({ type: 'chat', id: 'first', text: 'hello' });
		expect((await slow.reply('first')).at(-1)?.type).toBe('reply.end');
		expect(await slow.next('ack')).toEqual({ type: 'ack', id: 'first' });

		redis?.pause();
		try {
			await refusesWhileDown(slow, 'stuck');
		} finally {
			redis?.unpause();
		}
		await eventually(async () => (await healthz()).status === 200, '/healthz is 200 again');
		slow.send({ type: 'chat', id: 'stuck', text: 'hello?' });
		expect(await slow.next('ack')).toEqual({ type: 'ack', id: 'stuck' });
		expect((await slow.reply('stuck')).at(-1)?.type).toBe('reply.end');
		expect(startsFor(slow)).toEqual(['first', 'stuck']);
	}, 20_000);
});

/** An owned, resumed connection of `clientId`. */
async function open(clientId: string): Promise<TestClient> {
	const opened = await clients.connect((server as TestServer).wsUrl(clientId));
	opened.resume(0);
	return opened;
}

/** With Redis away: /healthz says 503 and why, and a chat gets `unavailable` and no ack. */
async function refusesWhileDown(on: TestClient, chatId: string): Promise<void> {
	await eventually(async () => (await healthz()).status === 503, '/healthz says 503');
	expect((await healthz()).body).toMatchObject({
		ok: false,
		reason: expect.stringMatching(/redis/i)
	});
	on.send({ type: 'chat', id: chatId, text: 'hello?' });
	expect(await on.next('error')).toMatchObject({ code: 'unavailable', id: chatId });
	expect(on.received.some((m) => m.type === 'ack' && m.id === chatId)).toBe(false);
}

function startsFor(on: TestClient): string[] {
	return on.received.flatMap((m) => (m.type === 'reply.start' ? [m.inReplyTo] : []));
}
