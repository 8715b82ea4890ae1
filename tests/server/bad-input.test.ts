import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CHAT_CHARS } from '../../src/lib/protocol/limits';
import { connectClient, type TestClient } from '../support/server-client';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
let client: TestClient;

beforeEach(async () => {
	server = await startTestServer({ maxBadMessages: 3, rateLimitPerSec: 20, rateLimitBurst: 40 });
	client = await connectClient(server.wsUrl('abuser'));
});

afterEach(async () => {
	await client.close();
	await server.close();
});

/** After every bad input, the server still serves a well-behaved client on another connection. */
afterEach(async () => {
	const other = await connectClient(server.wsUrl('well-behaved'));
	other.send({ type: 'chat', id: 'hello-1', text: 'hello' });
	expect(await other.next('ack')).toEqual({ type: 'ack', id: 'hello-1' });
	expect((await other.reply('hello-1')).at(-1)).toMatchObject({ type: 'reply.end', mood: 'happy' });
	await other.close();
});

/** The connection is still up and answering. */
async function expectStillOpen(c: TestClient): Promise<void> {
	c.send({ type: 'ping' });
	expect(await c.next('pong')).toMatchObject({ type: 'pong' });
}

describe('bad input', () => {
	it.each([
		['non-JSON text', 'this is not json', /Not JSON/],
		['an unknown type', '{"type":"teleport","to":"mars"}', /Unknown message type "teleport"/],
		['a field of the wrong kind', '{"type":"chat","id":"m1","text":42}', /"chat" message: text/],
		['a missing field', '{"type":"resume"}', /lastSeq/],
		['a JSON value that is not an object', '"chat"', /JSON object/]
	])('answers %s with a bad_message error and keeps the connection', async (_what, raw, why) => {
		client.sendRaw(raw);
		const error = await client.next('error');
		expect(error.code).toBe('bad_message');
		expect(error.message).toMatch(why);
		await expectStillOpen(client);
	});

	it('answers a binary frame with a bad_message error and keeps the connection', async () => {
		client.sendRaw(Buffer.from(JSON.stringify({ type: 'ping' })), true);
		expect(await client.next('error')).toMatchObject({
			code: 'bad_message',
			message: expect.stringMatching(/Binary/)
		});
		await expectStillOpen(client);
	});

	it('names the id of a refused message in the error', async () => {
		client.sendRaw(
			'{"type":"frame","id":"f-7","mime":"image/png","width":"wide","height":1,"data":""}'
		);
		expect(await client.next('error')).toMatchObject({ code: 'bad_message', id: 'f-7' });
	});

	it('closes with 1008 after repeated bad messages', async () => {
		for (let i = 0; i < 3; i++) client.sendRaw(`not json ${i}`);
		expect(await client.closed).toEqual({ code: 1008, reason: 'too many bad messages' });
		expect(client.received.filter((m) => m.type === 'error')).toHaveLength(3);
	});

	it('closes with 1009 on a chat of 4,001 characters', async () => {
		client.send({ type: 'chat', id: 'long', text: 'x'.repeat(MAX_CHAT_CHARS + 1) });
		expect(await client.closed).toEqual({ code: 1009, reason: 'message too big' });
		expect(client.received.some((m) => m.type === 'ack')).toBe(false);
	});

	it('accepts a chat of exactly 4,000 characters', async () => {
		client.send({ type: 'chat', id: 'longest', text: 'x'.repeat(MAX_CHAT_CHARS) });
		expect(await client.next('ack')).toEqual({ type: 'ack', id: 'longest' });
	});

	it('closes with 1009 on a 300 KiB frame', async () => {
		const data = Buffer.alloc(300 * 1024 - 100, 7)
			.toString('base64')
			.slice(0, 300 * 1024);
		client.send({ type: 'frame', id: 'huge', mime: 'image/jpeg', width: 1, height: 1, data });
		const closed = await client.closed;
		expect(closed.code).toBe(1009);
	});

	it('closes with 1007 on a text frame that is not valid UTF-8', async () => {
		client.sendRaw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), false);
		expect((await client.closed).code).toBe(1007);
	});

	it('answers a flood with rate_limited, then closes with 1008', async () => {
		for (let i = 0; i < 200; i++) client.send({ type: 'ping' });
		const error = await client.next('error');
		expect(error.code).toBe('rate_limited');
		expect(await client.closed).toEqual({ code: 1008, reason: 'rate limited' });
		// The burst was served before the limit hit.
		expect(client.received.filter((m) => m.type === 'pong').length).toBeGreaterThanOrEqual(40);
	});
});
