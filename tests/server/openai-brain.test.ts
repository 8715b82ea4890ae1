import jpeg from 'jpeg-js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/lib/server/config';
import { freePort } from '../support/free-port';
import { describeWithRedis, startRedisServer, type TestRedis } from '../support/redis-server';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../support/openai-fake-server';
import { eventually, type TestClient, OpenClients } from '../support/server-client';
import { startTestServer, type TestServer } from '../support/test-server';

let llm: FakeOpenAiServer;
let server: TestServer;
const clients = new OpenClients();

beforeEach(async () => {
	llm = await startFakeOpenAiServer();
});

afterEach(async () => {
	await clients.closeAll();
	await server?.close();
	await llm.close();
});

async function start(config: Partial<ServerConfig> = {}): Promise<void> {
	server = await startTestServer({
		brain: 'openai',
		llmBaseUrl: llm.baseUrl,
		llmModel: 'test-model',
		llmApiKey: 'sk-test',
		...config
	});
}

function open(clientId: string): Promise<TestClient> {
	return clients.connect(server.wsUrl(clientId));
}

/** A small solid-colour JPEG, base64. */
function jpegStill(width: number, height: number, [r, g, b]: [number, number, number]): string {
	const data = Buffer.alloc(width * height * 4);
	for (let i = 0; i < data.length; i += 4) data.set([r, g, b, 255], i);
	return jpeg.encode({ width, height, data }, 90).data.toString('base64');
}

describe('the openai brain', () => {
	it('streams the model’s SSE deltas as reply.delta, in order, and ends with the whole text', async () => {
		llm.answer = () => ({ kind: 'stream', pieces: ['The ', 'sky ', 'is ', 'blue.'], delayMs: 5 });
		await start();
		const client = await open('streamer');
		client.send({ type: 'chat', id: 'q1', text: 'What colour is the sky?' });
		const reply = await client.reply('q1');
		expect(
			reply.filter((m) => m.type === 'reply.delta').map((m) => m.type === 'reply.delta' && m.text)
		).toEqual(['The ', 'sky ', 'is ', 'blue.']);
		expect(reply.at(-1)).toMatchObject({
			type: 'reply.end',
			text: 'The sky is blue.',
			mood: 'neutral'
		});
		const [request] = llm.requests;
		expect(request?.headers.authorization).toBe('Bearer sk-test');
		expect(request?.body).toMatchObject({ model: 'test-model', stream: true });
		expect(request?.body.messages[0]?.role).toBe('system');
		expect(request?.body.messages.at(-1)).toEqual({
			role: 'user',
			content: 'What colour is the sky?'
		});
	});

	it('accepts a server that answers with one JSON body instead of a stream', async () => {
		llm.answer = () => ({ kind: 'json', content: 'All in one piece.' });
		await start();
		const client = await open('json');
		client.send({ type: 'chat', id: 'q', text: 'hi' });
		expect((await client.reply('q')).at(-1)).toMatchObject({
			type: 'reply.end',
			text: 'All in one piece.'
		});
	});

	it('keeps the conversation history per client id', async () => {
		let n = 0;
		llm.answer = () => ({ kind: 'stream', pieces: [`Answer ${++n}.`] });
		await start();
		const alice = await open('alice');
		alice.send({ type: 'chat', id: 'a1', text: 'My name is Alice.' });
		await alice.reply('a1');
		alice.send({ type: 'chat', id: 'a2', text: 'What is my name?' });
		await alice.reply('a2');
		const bob = await open('bob');
		bob.send({ type: 'chat', id: 'b1', text: 'Who am I?' });
		await bob.reply('b1');
		const turns = (i: number) => llm.requests[i]?.body.messages.slice(1);
		expect(turns(1)).toEqual([
			{ role: 'user', content: 'My name is Alice.' },
			{ role: 'assistant', content: 'Answer 1.' },
			{ role: 'user', content: 'What is my name?' }
		]);
		expect(turns(2)).toEqual([{ role: 'user', content: 'Who am I?' }]);
	});

	it('sends the still that came with a chat as an image part of that chat, once', async () => {
		await start();
		const client = await open('viewer');
		const data = jpegStill(8, 6, [200, 30, 30]);
		client.send({ type: 'frame', id: 'f1', mime: 'image/jpeg', width: 8, height: 6, data });
		client.send({ type: 'chat', id: 'q1', text: 'What is this?' });
		expect((await client.reply('q1')).at(-1)?.type).toBe('reply.end');
		client.send({ type: 'chat', id: 'q2', text: 'And now?' });
		await client.reply('q2');
		expect(llm.requests).toHaveLength(2); // the still asked for no answer of its own
		expect(llm.requests[0]?.body.messages.at(-1)?.content).toEqual([
			{ type: 'text', text: 'What is this?' },
			{ type: 'image_url', image_url: { url: `data:image/jpeg;base64,${data}` } }
		]);
		expect(llm.requests[1]?.body.messages.at(-1)?.content).toBe('And now?');
		expect(client.received.some((m) => m.type === 'reply.start' && m.inReplyTo === 'f1')).toBe(
			false
		);
	});

	it('falls back to words when the model refuses image parts', async () => {
		llm.answer = (request) =>
			Array.isArray(request.body.messages.at(-1)?.content)
				? { kind: 'status', status: 400, message: 'image input is not supported' }
				: { kind: 'stream', pieces: ['A red picture.'] };
		await start();
		const client = await open('text-only');
		client.send({
			type: 'frame',
			id: 'f1',
			mime: 'image/jpeg',
			width: 8,
			height: 6,
			data: jpegStill(8, 6, [220, 20, 20])
		});
		client.send({ type: 'chat', id: 'q', text: 'What do you see?' });
		expect((await client.reply('q')).at(-1)).toMatchObject({
			type: 'reply.end',
			text: 'A red picture.'
		});
		expect(llm.requests).toHaveLength(2);
		expect(llm.requests[1]?.body.messages.at(-1)?.content).toMatch(
			/^What do you see\? \(A camera still came with this.*8 by 6 picture.*mostly red/
		);
		expect(client.received.some((m) => m.type === 'error')).toBe(false);
	});

	it('turns a 401 into an error message and a spoken apology', async () => {
		llm.answer = () => ({ kind: 'status', status: 401, message: 'Incorrect API key provided' });
		await start();
		const client = await open('locked-out');
		client.send({ type: 'chat', id: 'q', text: 'hello?' });
		const reply = await client.reply('q');
		expect(reply.at(-1)).toMatchObject({
			type: 'reply.end',
			mood: 'concerned',
			text: expect.stringMatching(/^Sorry, my language model refused my credentials/)
		});
		expect(await client.next('error')).toMatchObject({
			code: 'brain_failed',
			id: 'q',
			message: expect.stringMatching(/401/)
		});
	});

	it('turns an endpoint that is down into an error message and a spoken apology', async () => {
		const closedPort = await freePort();
		await start({ llmBaseUrl: `http://127.0.0.1:${closedPort}/v1` });
		const client = await open('offline');
		client.send({ type: 'chat', id: 'q', text: 'hello?' });
		expect((await client.reply('q')).at(-1)).toMatchObject({
			type: 'reply.end',
			mood: 'concerned',
			text: expect.stringMatching(/can't reach my language model/)
		});
		expect(await client.next('error')).toMatchObject({
			code: 'brain_failed',
			id: 'q',
			message: expect.stringMatching(/cannot be reached/)
		});
	});

	it('gives up on a model that does not answer within the timeout', async () => {
		llm.answer = () => ({ kind: 'hang' });
		await start({ llmTimeoutMs: 150 });
		const client = await open('waiting');
		client.send({ type: 'chat', id: 'q', text: 'hello?' });
		expect((await client.reply('q')).at(-1)).toMatchObject({
			type: 'reply.end',
			mood: 'concerned',
			text: expect.stringMatching(/taking too long/)
		});
		expect(await client.next('error')).toMatchObject({
			code: 'brain_failed',
			message: expect.stringMatching(/No answer from the model for 150 ms/)
		});
		await eventually(() => llm.requests[0]?.aborted === true, 'the hung request is abandoned');
	});

	it('gives up on a stream that stalls half-way, keeping what was said', async () => {
		llm.answer = () => ({ kind: 'stream', pieces: ['I was saying ', 'something'], stallAfter: 1 });
		await start({ llmTimeoutMs: 150 });
		const client = await open('stalled');
		client.send({ type: 'chat', id: 'q', text: 'go on' });
		const end = (await client.reply('q')).at(-1);
		expect(end).toMatchObject({ type: 'reply.end', mood: 'concerned' });
		expect(end?.type === 'reply.end' && end.text).toMatch(
			/^I was saying … Sorry, my language model is taking too long/
		);
	});

	it('cancels the model request when the reply is interrupted', async () => {
		llm.answer = () => ({
			kind: 'stream',
			pieces: Array.from({ length: 50 }, (_v, i) => `w${i} `),
			delayMs: 20
		});
		await start();
		const client = await open('barge-in');
		client.send({ type: 'chat', id: 'q', text: 'tell me a long story' });
		await client.next('reply.delta');
		client.send({ type: 'interrupt' });
		expect(await client.next('reply.interrupted')).toMatchObject({ type: 'reply.interrupted' });
		await eventually(() => llm.requests[0]?.aborted === true, 'the model request is cancelled');
		expect(client.received.some((m) => m.type === 'error')).toBe(false);
	});
});

describeWithRedis('OpenAI brain on Redis', () => {
	let redis: TestRedis | undefined;
	let other: TestServer | undefined;

	beforeAll(async () => {
		redis = await startRedisServer();
	});
	afterAll(async () => {
		await other?.close();
		await redis?.stop();
	});

	it('keeps the history in Redis, so another instance goes on with the same conversation', async () => {
		let n = 0;
		llm.answer = () => ({ kind: 'stream', pieces: [`Answer ${++n}.`] });
		const shared = {
			store: 'redis' as const,
			redisUrl: redis?.url ?? '',
			redisPrefix: `brain-${Date.now()}:`
		};
		await start(shared);
		const first = await open('alice');
		first.resume(0);
		first.send({ type: 'chat', id: 'a1', text: 'My name is Alice.' });
		expect((await first.reply('a1')).at(-1)?.type).toBe('reply.end');

		other = await startTestServer({
			brain: 'openai',
			llmBaseUrl: llm.baseUrl,
			llmModel: 'test-model',
			...shared
		});
		const second = await clients.connect(other.wsUrl('alice'));
		second.resume(0, first.credentials);
		second.send({ type: 'chat', id: 'a2', text: 'What is my name?' });
		expect((await second.reply('a2')).at(-1)?.type).toBe('reply.end');
		expect(llm.requests[1]?.body.messages.slice(1)).toEqual([
			{ role: 'user', content: 'My name is Alice.' },
			{ role: 'assistant', content: 'Answer 1.' },
			{ role: 'user', content: 'What is my name?' }
		]);
	});
});
