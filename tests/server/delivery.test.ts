import { afterEach, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../src/lib/protocol/server-messages';
import { MemoryStore } from '../../src/lib/server/store/memory-store';
import { eventually, type TestClient, OpenClients } from '../support/server-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { ONE_PIXEL_PNG } from '../support/images';

let server: TestServer;
const clients = new OpenClients();

function open(clientId: string): Promise<TestClient> {
	return clients.connect(server.wsUrl(clientId));
}

afterEach(async () => {
	await clients.closeAll();
	await server?.close();
});

const seqOf = (m: ServerMessage) => ('seq' in m ? m.seq : undefined);
const textOf = (messages: ServerMessage[]) =>
	messages.map((m) => (m.type === 'reply.delta' ? m.text : '')).join('');

describe('delivery', () => {
	it('acks a chat only after its id is stored, then streams the reply as start, deltas and end', async () => {
		const store = new MemoryStore();
		server = await startTestServer({}, { store });
		const client = await open('asker');
		client.send({ type: 'resume', lastSeq: 0 });
		client.send({ type: 'chat', id: 'm1', text: 'hello' });
		expect(await client.next('ack')).toEqual({ type: 'ack', id: 'm1' });
		expect(store.acceptClientMessage('asker', { kind: 'chat', id: 'm1', text: 'hello' })).toBe(
			false
		); // already stored
		const reply = await client.reply('m1');
		expect(reply[0]).toMatchObject({ type: 'reply.start', inReplyTo: 'm1', seq: 1 });
		expect(reply.map(seqOf)).toEqual(reply.map((_m, i) => i + 1));
		const end = reply.at(-1);
		expect(end).toMatchObject({ type: 'reply.end', mood: 'happy' });
		expect(end?.type === 'reply.end' && end.text).toBe(textOf(reply));
		expect(reply.filter((m) => m.type === 'reply.delta').length).toBeGreaterThan(1);
	});

	it('a chat whose commit fails gets an error naming it and no ack; sent again, it is answered once', async () => {
		const store = new MemoryStore();
		const accept = store.acceptClientMessages.bind(store);
		let failures = 1;
		store.acceptClientMessages = (batch) => {
			if (failures-- > 0) throw new Error('disk I/O error');
			return accept(batch);
		};
		server = await startTestServer({}, { store });
		const client = await open('unlucky');
		client.send({ type: 'resume', lastSeq: 0 });
		client.send({ type: 'chat', id: 'm1', text: 'hello' });
		expect(await client.next('error')).toMatchObject({ code: 'internal_error', id: 'm1' });
		expect(store.pendingChats('unlucky')).toEqual([]);

		client.send({ type: 'chat', id: 'm1', text: 'hello' });
		expect(await client.next('ack')).toEqual({ type: 'ack', id: 'm1' });
		await client.reply('m1');
		expect(client.received.filter((m) => m.type === 'ack')).toHaveLength(1);
		expect(client.received.filter((m) => m.type === 'reply.start')).toHaveLength(1);
		expect(server.logs.some((line) => line.event === 'accept.failed')).toBe(true);
	});

	it('stores every sequenced message before sending it', async () => {
		const store = new MemoryStore();
		server = await startTestServer({}, { store });
		const client = await open('stored');
		client.send({ type: 'chat', id: 'm1', text: 'what can you do?' });
		const reply = await client.reply('m1');
		expect(store.replay('stored', 0)).toEqual(reply);
	});

	it('answers a chat sent twice with the same id once, and acks it both times', async () => {
		server = await startTestServer();
		const client = await open('repeater');
		client.send({ type: 'chat', id: 'same', text: 'hello' });
		await client.reply('same');
		client.send({ type: 'chat', id: 'same', text: 'hello' });
		client.send({ type: 'chat', id: 'next', text: 'thanks' });
		await client.reply('next');
		expect(client.received.filter((m) => m.type === 'ack')).toEqual([
			{ type: 'ack', id: 'same' },
			{ type: 'ack', id: 'same' },
			{ type: 'ack', id: 'next' }
		]);
		expect(
			client.received
				.filter((m) => m.type === 'reply.start')
				.map((m) => m.type === 'reply.start' && m.inReplyTo)
		).toEqual(['same', 'next']);
	});

	it('answers a chat resent on a new connection once', async () => {
		const store = new MemoryStore();
		server = await startTestServer({}, { store });
		const first = await open('resender');
		first.send({ type: 'chat', id: 'once', text: 'hello' });
		await first.reply('once');
		await first.close();
		const second = await open('resender');
		second.resume(0, first.credentials);
		second.send({ type: 'chat', id: 'once', text: 'hello' });
		second.send({ type: 'ping' });
		await second.next('pong'); // everything sent before the ping has been handled
		expect(second.received.filter((m) => m.type === 'ack')).toEqual([{ type: 'ack', id: 'once' }]);
		const starts = store.replay('resender', 0).filter((m) => m.type === 'reply.start');
		expect(starts).toHaveLength(1);
		expect((await second.reply('once')).at(-1)?.type).toBe('reply.end'); // the replayed answer
	});

	it('replays on resume every stored message after lastSeq, completing a reply cut off mid-stream', async () => {
		server = await startTestServer({ brainChunkDelayMs: 30 });
		const first = await open('traveller');
		first.send({ type: 'resume', lastSeq: 0 });
		first.send({ type: 'chat', id: 'm1', text: 'who are you?' });
		await first.next('reply.start');
		const firstDelta = await first.next('reply.delta');
		first.ws.terminate(); // the connection drops mid-reply
		await first.closed;
		const lastSeq = firstDelta.seq;

		const second = await open('traveller');
		second.resume(lastSeq, first.credentials);
		const end = await second.next('reply.end');
		const sequenced = second.received.filter((m) => 'seq' in m);
		expect(sequenced.map(seqOf)).toEqual(sequenced.map((_m, i) => lastSeq + 1 + i));
		expect(end.text.startsWith(firstDelta.text)).toBe(true);
		expect(firstDelta.text + textOf(sequenced)).toBe(end.text);
	});

	it('continues seq numbers across connections, from 1 without gaps', async () => {
		server = await startTestServer();
		const first = await open('counter');
		first.send({ type: 'chat', id: 'a', text: 'hi' });
		const a = await first.reply('a');
		await first.close();
		const second = await open('counter');
		second.resume(seqOf(a.at(-1) as ServerMessage) ?? 0, first.credentials);
		second.send({ type: 'chat', id: 'b', text: 'hi again' });
		const b = await second.reply('b');
		expect([...a, ...b].map(seqOf)).toEqual([...a, ...b].map((_m, i) => i + 1));
	});

	it('keeps history after an ack, so a resume from 0 replays the whole conversation with the user words', async () => {
		const store = new MemoryStore();
		server = await startTestServer({}, { store });
		const client = await open('historian');
		client.send({ type: 'chat', id: 'a', text: 'hello' });
		const a = await client.reply('a');
		const lastOfA = seqOf(a.at(-1) as ServerMessage) ?? 0;
		client.send({ type: 'ack', seq: lastOfA });
		await eventually(() => store.ackedSeq('historian') === lastOfA, 'the ack is recorded');
		client.send({ type: 'chat', id: 'b', text: 'thanks' });
		const b = await client.reply('b');
		await client.close();
		const again = await open('historian');
		again.resume(0, client.credentials);
		expect([...(await again.reply('a')), ...(await again.reply('b'))]).toEqual([...a, ...b]);
		expect(a[0]).toMatchObject({ type: 'reply.start', inReplyTo: 'a', userText: 'hello' });
		expect(b[0]).toMatchObject({ type: 'reply.start', inReplyTo: 'b', userText: 'thanks' });
	});

	it('replays from seq 1 for a lastSeq of another epoch (or none): the client’s numbers count in a log that is gone', async () => {
		server = await startTestServer();
		const first = await open('epochal');
		first.send({ type: 'chat', id: 'a', text: 'hello' });
		const a = await first.reply('a');
		await first.close();
		const second = await open('epochal');
		second.send({
			type: 'resume',
			lastSeq: 500,
			epoch: 'an-older-epoch',
			token: first.credentials.token
		});
		expect(await second.reply('a')).toEqual(a);
		second.send({ type: 'chat', id: 'b', text: 'hello again' });
		expect(await second.next('reply.start')).toMatchObject({ seq: a.length + 1 });
	});

	it('holds stored messages until resume, so they arrive in order', async () => {
		server = await startTestServer({ brainChunkDelayMs: 20 });
		const first = await open('orderly');
		first.send({ type: 'chat', id: 'm1', text: 'what can you do?' });
		const delta = await first.next('reply.delta');
		first.ws.terminate();
		await first.closed;
		const second = await open('orderly');
		await new Promise((resolve) => setTimeout(resolve, 60)); // the reply goes on meanwhile
		expect(second.received.filter((m) => 'seq' in m)).toEqual([]);
		second.resume(delta.seq, first.credentials);
		const end = await second.next('reply.end');
		const seqs = second.received.filter((m) => 'seq' in m).map(seqOf);
		expect(seqs).toEqual(seqs.map((_s, i) => delta.seq + 1 + i));
		expect(seqs.at(-1)).toBe(end.seq);
	});

	it('cuts the current reply short on interrupt, with reply.interrupted', async () => {
		server = await startTestServer({ brainChunkDelayMs: 50 });
		const client = await open('barger');
		client.send({ type: 'chat', id: 'long', text: 'help' });
		const start = await client.next('reply.start');
		await client.next('reply.delta');
		client.send({ type: 'interrupt', replyId: start.replyId });
		expect(await client.next('reply.interrupted')).toMatchObject({ replyId: start.replyId });
		client.send({ type: 'ping' });
		await client.next('pong');
		await new Promise((resolve) => setTimeout(resolve, 120));
		const after = client.received.slice(
			client.received.findIndex((m) => m.type === 'reply.interrupted') + 1
		);
		expect(after.filter((m) => 'replyId' in m)).toEqual([]);
	});

	it('ignores an interrupt for a reply that is not the current one', async () => {
		server = await startTestServer({ brainChunkDelayMs: 5 });
		const client = await open('late-barger');
		client.send({ type: 'chat', id: 'm', text: 'hello' });
		client.send({ type: 'interrupt', replyId: 'not-this-one' });
		expect((await client.reply('m')).at(-1)?.type).toBe('reply.end');
	});

	it('queues a chat sent before the client saw the current reply begin, and answers both in full, in order', async () => {
		server = await startTestServer({ brainChunkDelayMs: 20 });
		const client = await open('patient');
		client.send({ type: 'chat', id: 'first', text: 'help' });
		client.send({ type: 'chat', id: 'second', text: 'hello' });
		const first = await client.reply('first');
		const second = await client.reply('second');
		expect([first.at(-1)?.type, second.at(-1)?.type]).toEqual(['reply.end', 'reply.end']);
		expect(seqOf(second[0] as ServerMessage)).toBe((seqOf(first.at(-1) as ServerMessage) ?? 0) + 1);
		expect(client.received.some((m) => m.type === 'reply.interrupted')).toBe(false);
	});

	it('takes a chat sent after acking the reply’s first delta as a barge-in: interrupts, answers it next, then the queue', async () => {
		server = await startTestServer({ brainChunkDelayMs: 50 });
		const client = await open('impatient');
		client.send({ type: 'chat', id: 'first', text: 'help' });
		client.send({ type: 'chat', id: 'queued', text: 'thanks' });
		const start = await client.next('reply.start');
		const delta = await client.next('reply.delta');
		client.send({ type: 'ack', seq: delta.seq });
		client.send({ type: 'chat', id: 'barge', text: 'hello' });
		const interrupted = await client.next('reply.interrupted');
		expect(interrupted.replyId).toBe(start.replyId);
		const barge = await client.reply('barge');
		const queued = await client.reply('queued');
		expect([barge.at(-1)?.type, queued.at(-1)?.type]).toEqual(['reply.end', 'reply.end']);
		expect(seqOf(barge[0] as ServerMessage)).toBe(interrupted.seq + 1);
		const order = client.received.flatMap((m) => (m.type === 'reply.start' ? [m.inReplyTo] : []));
		expect(order).toEqual(['first', 'barge', 'queued']);
	});

	it('interrupt cuts only the current reply: queued chats are still answered', async () => {
		server = await startTestServer({ brainChunkDelayMs: 30 });
		const client = await open('stopper');
		client.send({ type: 'chat', id: 'long', text: 'help' });
		client.send({ type: 'chat', id: 'next', text: 'thanks' });
		await client.next('reply.delta');
		client.send({ type: 'interrupt' });
		expect((await client.reply('long')).at(-1)?.type).toBe('reply.interrupted');
		expect((await client.reply('next')).at(-1)?.type).toBe('reply.end');
	});

	it('takes a camera still as context: acked, never answered on its own, described when asked', async () => {
		server = await startTestServer();
		const client = await open('looker');
		client.send({
			type: 'frame',
			id: 'f1',
			mime: 'image/png',
			width: 1,
			height: 1,
			data: ONE_PIXEL_PNG
		});
		client.send({ type: 'chat', id: 'q', text: 'What do you see?' });
		const reply = await client.reply('q');
		expect(client.received.filter((m) => m.type === 'ack')).toEqual([
			{ type: 'ack', id: 'f1' },
			{ type: 'ack', id: 'q' }
		]);
		expect(reply.at(-1)).toMatchObject({
			type: 'reply.end',
			text: expect.stringMatching(/^I see a 1 by 1 picture/)
		});
		expect(client.received.filter((m) => m.type === 'reply.start')).toHaveLength(1);
	});
});
