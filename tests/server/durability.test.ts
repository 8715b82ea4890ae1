/**
 * Issue 6 against the real server process (scripts/serve.ts, SQLite store in a temp DATA_DIR):
 * messages sent while it is down, resends, kill -9 in the middle of a reply, history after a
 * restart, the file after a restart, retention from the environment, and an unusable file.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../src/lib/protocol/server-messages';
import { type TestClient, OpenClients } from '../support/server-client';
import { startServerProcess, type ServerProcess } from '../../support/server-process';
import { makeTempDir, removeTempDirs } from '../support/temp-dir';

let server: ServerProcess | undefined;
const clients = new OpenClients();

afterEach(async () => {
	await clients.closeAll();
	await server?.kill();
	server = undefined;
	removeTempDirs();
});

async function start(env: Record<string, string> = {}): Promise<ServerProcess> {
	server = await startServerProcess({ env: { BRAIN_CHUNK_DELAY_MS: '1', ...env } });
	return server;
}

function open(url: string): Promise<TestClient> {
	return clients.connect(url);
}

/** Keeps trying to connect, as a client outbox does while the server is down. */
async function connectWhenUp(url: string): Promise<TestClient> {
	const deadline = Date.now() + 20_000;
	for (;;) {
		try {
			return await open(url);
		} catch (error) {
			if (Date.now() > deadline) throw error;
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	}
}

const sequenced = (client: TestClient) => client.received.filter((m) => 'seq' in m);
const seqs = (messages: ServerMessage[]) => messages.map((m) => ('seq' in m ? m.seq : 0));
const starts = (messages: ServerMessage[]) =>
	messages.flatMap((m) => (m.type === 'reply.start' ? [m] : []));
const range = (from: number, count: number) => Array.from({ length: count }, (_v, i) => from + i);

/**
 * Polls until `condition()` holds. The deadline only turns a hang into a readable failure; it is
 * longer than server-client's WAIT_MS because a burst of replies on a loaded machine takes time.
 */
async function waitUntil(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
	const deadline = Date.now() + ms;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/** Resolves once `count` replies have ended (either way). */
async function endedReplies(client: TestClient, count: number): Promise<void> {
	const ended = () =>
		client.received.filter((m) => m.type === 'reply.end' || m.type === 'reply.interrupted');
	await waitUntil(() => ended().length >= count, `${count} replies have ended`);
}

describe('durability across restarts (real server process)', { timeout: 30_000 }, () => {
	it('answers 20 chats sent while the server was down each exactly once, in order', async () => {
		const { wsUrl } = await start();
		await server?.kill(); // the server is down
		const connecting = connectWhenUp(wsUrl('offline-sender'));
		await server?.restart();
		const client = await connecting;
		client.send({ type: 'resume', lastSeq: 0 });
		const ids = range(1, 20).map((i) => `m${i}`);
		for (const [i, id] of ids.entries())
			client.send({ type: 'chat', id, text: `message ${i + 1}` });
		await waitUntil(
			() => client.received.filter((m) => m.type === 'reply.end').length === 20,
			'20 replies have ended'
		);
		const ends = client.received.filter((m) => m.type === 'reply.end');
		const byReply = new Map(starts(client.received).map((s) => [s.replyId, s.inReplyTo]));
		expect(ends.map((end) => byReply.get(end.replyId))).toEqual(ids);
		expect(starts(client.received).map((s) => s.userText)).toEqual(
			ids.map((_id, i) => `message ${i + 1}`)
		);
		expect(client.received.filter((m) => m.type === 'ack').map((m) => m.id)).toEqual(ids);
		expect(client.received.some((m) => m.type === 'reply.interrupted')).toBe(false);
		expect(seqs(sequenced(client))).toEqual(range(1, sequenced(client).length));
	});

	it('acks a chat resent with the same id every time, also after a restart and a kill, and answers it once', async () => {
		const { wsUrl } = await start();
		const first = await open(wsUrl('resender'));
		first.send({ type: 'resume', lastSeq: 0 });
		first.send({ type: 'chat', id: 'same', text: 'hello' });
		first.send({ type: 'chat', id: 'same', text: 'hello' });
		await first.reply('same');
		await server?.restart(); // SIGTERM, then start on the same file
		const second = await connectWhenUp(wsUrl('resender'));
		second.resume(0, first.credentials);
		second.send({ type: 'chat', id: 'same', text: 'hello' });
		expect(await second.next('ack')).toEqual({ type: 'ack', id: 'same' });
		await server?.kill();
		await server?.restart();
		const third = await connectWhenUp(wsUrl('resender'));
		third.resume(0, first.credentials);
		third.send({ type: 'chat', id: 'same', text: 'hello' });
		third.send({ type: 'chat', id: 'after', text: 'thanks' });
		await third.reply('after');
		const acks = [first, second, third].map(
			(client) => client.received.filter((m) => m.type === 'ack').length
		);
		expect(acks).toEqual([2, 1, 2]);
		expect(starts(third.received).map((s) => s.inReplyTo)).toEqual(['same', 'after']);
		expect(seqs(sequenced(third))).toEqual(range(1, sequenced(third).length));
	});

	it('after kill -9 mid-reply, a resumed client ends that reply exactly once and gets the queued chat answered', async () => {
		const { wsUrl } = await start({ BRAIN_CHUNK_DELAY_MS: '100' });
		const before = await open(wsUrl('crash-witness'));
		before.send({ type: 'resume', lastSeq: 0 });
		before.send({ type: 'chat', id: 'long', text: 'help' });
		before.send({ type: 'chat', id: 'queued', text: 'thanks' });
		const start1 = await before.next('reply.start');
		await before.next('reply.delta');
		const lastSeq = (await before.next('reply.delta')).seq;
		await server?.kill(); // mid-reply, with one chat still waiting
		await server?.restart();
		expect(server?.output()).toContain(
			`"event":"reply.recovered","clientId":"crash-witness","replyId":"${start1.replyId}"`
		);

		const after = await connectWhenUp(wsUrl('crash-witness'));
		after.resume(lastSeq, before.credentials);
		const rest = await after.nextMatching(
			(m) => 'replyId' in m && m.replyId === start1.replyId,
			'the end of the cut-off reply'
		);
		expect(rest.type).toBe('reply.interrupted');
		expect((await after.reply('queued')).at(-1)?.type).toBe('reply.end');
		const all = [...sequenced(before).filter((m) => m.seq <= lastSeq), ...sequenced(after)];
		expect(seqs(all)).toEqual(range(1, all.length)); // no gap, no duplicate
		const ends = all.filter((m) => m.type === 'reply.end' || m.type === 'reply.interrupted');
		expect(ends.map((m) => m.replyId)).toEqual(starts(all).map((s) => s.replyId));
		expect(starts(all).map((s) => s.inReplyTo)).toEqual(['long', 'queued']);
	});

	it('replays the whole history in order with the user words on resume from 0 after a restart', async () => {
		const { wsUrl } = await start();
		const before = await open(wsUrl('historian'));
		before.send({ type: 'resume', lastSeq: 0 });
		const texts = ['hello', 'what can you do?', 'thanks'];
		for (const [i, text] of texts.entries()) before.send({ type: 'chat', id: `h${i}`, text });
		await endedReplies(before, 3);
		const history = sequenced(before);
		before.send({ type: 'ack', seq: history.at(-1)?.seq ?? 0 });
		await server?.restart();

		const after = await connectWhenUp(wsUrl('historian'));
		after.resume(0, before.credentials);
		await endedReplies(after, 3);
		expect(sequenced(after)).toEqual(history);
		expect(starts(after.received).map((s) => s.userText)).toEqual(texts);
	});

	it('leaves a store file that passes the integrity check, and trims it to RETAIN_MESSAGES once acknowledged', async () => {
		const { wsUrl, dataDir } = await start({ RETAIN_MESSAGES: '5' });
		const client = await open(wsUrl('trimmed'));
		client.send({ type: 'resume', lastSeq: 0 });
		client.send({ type: 'chat', id: 'a', text: 'what can you do?' });
		client.send({ type: 'chat', id: 'b', text: 'hello' });
		await endedReplies(client, 2);
		const lastSeq = sequenced(client).at(-1)?.seq ?? 0;
		expect(lastSeq).toBeGreaterThan(10);
		client.send({ type: 'ack', seq: lastSeq });
		client.send({ type: 'ping' });
		await client.next('pong'); // the ack has been handled
		await server?.stop();

		const db = new Database(path.join(dataDir, 'talkline.db'));
		expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
		const kept = db.prepare('SELECT seq FROM messages ORDER BY seq').pluck().all();
		expect(kept).toEqual(range(lastSeq - 4, 5));
		db.close();

		await server?.restart();
		const again = await connectWhenUp(wsUrl('trimmed'));
		again.resume(0, client.credentials);
		await waitUntil(() => sequenced(again).length === 5, 'the 5 kept messages are replayed');
		expect(seqs(sequenced(again))).toEqual(range(lastSeq - 4, 5));
	});

	it('refuses to start on a file that is not a database, with a clear message and no stack trace', async () => {
		const dataDir = makeTempDir();
		writeFileSync(path.join(dataDir, 'talkline.db'), 'not a database '.repeat(100));
		const failure = await startServerProcess({ env: { DATA_DIR: dataDir } }).then(
			() => undefined,
			(error: unknown) => (error instanceof Error ? error.message : String(error))
		);
		expect(failure).toMatch(
			/Talkline could not start: Cannot open the message store .*talkline\.db/
		);
		expect(failure).toMatch(/"event":"store.unavailable"/);
		expect(failure).not.toMatch(/\n\s+at /);
	});
});
