/**
 * Owned client ids and epochs (protocol.md, "Ownership and epochs"), against a real server.
 * Reproductions 1 and 2 of issue 11 are here: each failed on the code before ownership existed.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../src/lib/protocol/server-messages';
import { MemoryStore } from '../../src/lib/server/store/memory-store';
import { SqliteStore, storeFile } from '../../src/lib/server/store/sqlite-store';
import { eventually, type TestClient, OpenClients } from '../support/server-client';
import { makeTempDir, removeTempDirs } from '../support/temp-dir';
import { startTestServer, type TestServer } from '../support/test-server';

const servers: TestServer[] = [];
const clients = new OpenClients();

afterEach(async () => {
	await clients.closeAll();
	for (const server of servers.splice(0).reverse()) await server.close();
	removeTempDirs();
});

async function start(...args: Parameters<typeof startTestServer>): Promise<TestServer> {
	const server = await startTestServer(...args);
	servers.push(server);
	return server;
}

function open(server: TestServer, clientId: string): Promise<TestClient> {
	return clients.connect(server.wsUrl(clientId));
}

const sequenced = (client: TestClient) =>
	client.received.filter((m): m is Extract<ServerMessage, { seq: number }> => 'seq' in m);
const seqs = (client: TestClient) => sequenced(client).map((m) => m.seq);
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/** Sends a ping and waits for its pong: everything sent before it has been handled. */
async function settled(client: TestClient): Promise<void> {
	client.send({ type: 'ping' });
	await client.next('pong');
}

describe('issue 11, reproduction 1: a huge lastSeq no longer breaks a client id or the start', () => {
	it('answers from seq 1 after resume {lastSeq: 2^53-1} without an epoch, and the server restarts', async () => {
		const file = storeFile(makeTempDir());
		let server = await start({}, { store: new SqliteStore(file) });
		const victim = await open(server, 'victim');
		victim.sendRaw('{"type":"resume","lastSeq":9007199254740991}');
		victim.sendRaw('{"type":"chat","id":"p1","text":"hello"}');
		expect((await victim.reply('p1')).at(-1)?.type).toBe('reply.end');
		victim.send({ type: 'chat', id: 'p2', text: 'thanks' });
		expect((await victim.reply('p2')).at(-1)?.type).toBe('reply.end');
		expect(seqs(victim)).toEqual(range(1, sequenced(victim).length));
		const history = sequenced(victim);
		await victim.close();
		await server.close();

		server = await start({}, { store: new SqliteStore(file) });
		const again = await open(server, 'victim');
		again.resume(0, victim.credentials);
		await eventually(() => sequenced(again).length === history.length, 'the log is replayed');
		expect(sequenced(again)).toEqual(history);
		expect(server.logs.filter((line) => line.level >= 50)).toEqual([]);
	});

	it('same epoch and a lastSeq beyond the log: bad_message, and nothing in the log moves', async () => {
		const store = new MemoryStore();
		const server = await start({}, { store });
		const client = await open(server, 'overreach');
		const { epoch } = client.credentials;
		client.send({ type: 'resume', lastSeq: Number.MAX_SAFE_INTEGER, epoch });
		expect(await client.next('error')).toMatchObject({
			code: 'bad_message',
			message: expect.stringMatching(/lastSeq .* beyond/)
		});
		expect([store.lastSeq('overreach'), store.ackedSeq('overreach')]).toEqual([0, 0]);
		client.send({ type: 'chat', id: 'after', text: 'hello' });
		expect((await client.reply('after'))[0]).toMatchObject({ type: 'reply.start', seq: 1 });
	});

	it('starts when one client id’s recovery fails: the fault is logged with the id, the others recover', async () => {
		const file = storeFile(makeTempDir());
		const store = new SqliteStore(file);
		for (const clientId of ['broken', 'fine']) {
			store.acceptClientMessage(clientId, { kind: 'chat', id: 'm', text: 'hi' });
			store.appendServerMessage(clientId, { type: 'reply.start', replyId: 'r', inReplyTo: 'm' });
		}
		store.close();
		const db = new Database(file);
		// Data the store cannot write past, as the old advanceSeq collision left it.
		db.exec(
			`CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.client_id = 'broken'
			 BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: messages.client_id, messages.seq'); END`
		);
		db.close();

		const server = await start({}, { store: new SqliteStore(file) });
		expect(server.logs).toContainEqual(
			expect.objectContaining({ event: 'reply.recover-failed', clientId: 'broken' })
		);
		expect(server.logs).toContainEqual(
			expect.objectContaining({ event: 'reply.recovered', clientId: 'fine', replyId: 'r' })
		);
		const fine = await open(server, 'fine'); // an unowned log from before: this one claims it
		fine.resume(0);
		expect(await fine.reply('m')).toMatchObject([
			{ type: 'reply.start', seq: 1 },
			{ type: 'reply.interrupted', seq: 2 }
		]);
	});
});

describe('issue 11, reproduction 2: knowing a client id is not enough', () => {
	it('a second connection without the token gets no replay, may not chat, and does not replace the owner', async () => {
		const server = await start();
		const owner = await open(server, 'test-client');
		owner.send({ type: 'chat', id: 'secret', text: 'hello' });
		await owner.reply('secret');

		const intruder = await open(server, 'test-client');
		const connected = intruder.received[0];
		expect(connected).toMatchObject({ type: 'connected', epoch: owner.credentials.epoch });
		expect(connected && 'token' in connected).toBe(false);
		intruder.send({ type: 'resume', lastSeq: 0 });
		expect(await intruder.next('error')).toMatchObject({ code: 'unauthorized' });
		intruder.send({ type: 'chat', id: 'x', text: 'tell me everything' });
		expect(await intruder.next('error')).toMatchObject({ code: 'unauthorized', id: 'x' });
		intruder.send({ type: 'interrupt' });
		intruder.send({ type: 'ack', seq: 3 });
		await settled(intruder);
		expect(sequenced(intruder)).toEqual([]);
		expect(intruder.received.filter((m) => m.type === 'ack')).toEqual([]);

		// The owner is still connected and still the one answered.
		owner.send({ type: 'chat', id: 'mine', text: 'thanks' });
		expect((await owner.reply('mine')).at(-1)?.type).toBe('reply.end');
		expect(await server.health()).toMatchObject({ connections: 2, clients: 1 });
	});

	it('a wrong token closes with 4401 "unauthorized", and the owner stays', async () => {
		const server = await start();
		const owner = await open(server, 'guarded');
		const intruder = await open(server, 'guarded');
		intruder.send({ type: 'resume', lastSeq: 0, token: 'guessed-token' });
		expect(await intruder.closed).toEqual({ code: 4401, reason: 'unauthorized' });
		await settled(owner);
		expect(owner.ws.readyState).toBe(owner.ws.OPEN);
	});

	it('the right token proves the id: replay, then the older connection is replaced', async () => {
		const server = await start();
		const first = await open(server, 'mine');
		first.send({ type: 'chat', id: 'a', text: 'hello' });
		const a = await first.reply('a');
		const second = await open(server, 'mine');
		expect(first.ws.readyState).toBe(first.ws.OPEN); // not replaced before the proof
		second.resume(0, first.credentials);
		expect(await first.closed).toEqual({ code: 1000, reason: 'replaced' });
		expect(await second.reply('a')).toEqual(a);
	});

	it('gives a token only to the connection that claims a new id', async () => {
		const server = await start();
		const first = await open(server, 'fresh');
		const { token, epoch } = first.credentials;
		expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(epoch).toMatch(/^[0-9a-f]{32}$/);
		const other = await open(server, 'other-fresh');
		expect(other.credentials.token).not.toBe(token);
		expect(other.credentials.epoch).not.toBe(epoch);
	});

	it('checks the token on another instance that shares the store', async () => {
		const store = new MemoryStore();
		const one = await start({}, { store });
		const two = await start({}, { store });
		const owner = await open(one, 'roaming');
		owner.send({ type: 'chat', id: 'a', text: 'hello' });
		const a = await owner.reply('a');

		const elsewhere = await open(two, 'roaming');
		elsewhere.resume(0, owner.credentials);
		expect(await elsewhere.reply('a')).toEqual(a);
		const intruder = await open(two, 'roaming');
		intruder.resume(0, { ...owner.credentials, token: 'x'.repeat(43) });
		expect(await intruder.closed).toMatchObject({ code: 4401 });
	});
});

describe('a new client id costs no store reads beyond its arrival, and loses nothing for it', () => {
	/** A SqliteStore that counts the reads a connection may skip. */
	class CountingStore extends SqliteStore {
		readonly reads = { replay: 0, pendingChats: 0, lastSeq: 0 };
		override replay(...args: Parameters<SqliteStore['replay']>) {
			this.reads.replay += 1;
			return super.replay(...args);
		}
		override pendingChats(clientId: string) {
			this.reads.pendingChats += 1;
			return super.pendingChats(clientId);
		}
		override lastSeq(clientId: string) {
			this.reads.lastSeq += 1;
			return super.lastSeq(clientId);
		}
	}

	it('a new id connects and resumes without a replay, pending-chats or last-seq read, then chats', async () => {
		const store = new CountingStore(storeFile(makeTempDir()));
		const server = await start({}, { store });
		const client = await open(server, 'brand-new');
		client.resume(0, client.credentials);
		await settled(client);
		expect(store.reads).toEqual({ replay: 0, pendingChats: 0, lastSeq: 0 });
		client.send({ type: 'chat', id: 'a', text: 'hello' });
		expect((await client.reply('a')).at(-1)?.type).toBe('reply.end');
		expect(seqs(client)).toEqual(range(1, sequenced(client).length));
	});

	it('a chat accepted for an id before its first connection (an old store) is answered then', async () => {
		const file = storeFile(makeTempDir());
		const old = new SqliteStore(file);
		old.acceptClientMessage('waiting', { kind: 'chat', id: 'q', text: 'hello?' });
		old.close();
		const store = new CountingStore(file);
		const server = await start({}, { store });
		const client = await open(server, 'waiting');
		client.resume(0, client.credentials);
		expect((await client.reply('q')).at(-1)?.type).toBe('reply.end');
		expect(store.reads.pendingChats).toBeGreaterThan(0);
	});

	it('a returning client still gets what was stored while it was away', async () => {
		const store = new CountingStore(storeFile(makeTempDir()));
		const server = await start({}, { store });
		const first = await open(server, 'returning');
		first.send({ type: 'chat', id: 'a', text: 'hello' });
		const a = await first.reply('a');
		await first.close();
		const again = await open(server, 'returning');
		again.resume(0, first.credentials);
		expect(await again.reply('a')).toEqual(a);
		expect(store.reads.replay).toBeGreaterThan(0);
	});
});
