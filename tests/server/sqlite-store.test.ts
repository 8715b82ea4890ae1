import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { UnsequencedMessage } from '../../src/lib/protocol/server-messages';
import { SCHEMA_MIGRATIONS, SCHEMA_VERSION } from '../../src/lib/server/store/sqlite-schema';
import { SqliteStore, StoreOpenError, storeFile } from '../../src/lib/server/store/sqlite-store';
import { makeTempDir, removeTempDirs } from '../support/temp-dir';
import { describeMessageStore } from './message-store-contract';
import { asyncStore } from '../../src/lib/server/store/sync-store';

afterAll(removeTempDirs);

const tempFile = () => storeFile(makeTempDir());
const delta = (text: string): UnsequencedMessage => ({ type: 'reply.delta', replyId: 'r', text });

describeMessageStore('SqliteStore', (retention) =>
	asyncStore(new SqliteStore(tempFile(), retention))
);

describe('SqliteStore on disk', () => {
	it('creates its folder and a WAL-mode file with the schema version', () => {
		const file = path.join(makeTempDir(), 'nested', 'data', 'talkline.db');
		new SqliteStore(file).close();
		const db = new Database(file, { readonly: true });
		expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
		expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
		db.close();
	});

	it('keeps everything across close and reopen, and the file passes the integrity check', () => {
		const file = tempFile();
		const first = new SqliteStore(file);
		first.acceptClientMessage('c', { kind: 'chat', id: 'm1', text: 'hello' });
		first.acceptClientMessage('c', { kind: 'chat', id: 'm2', text: 'still waiting' });
		first.acceptClientMessage('c', {
			kind: 'frame',
			id: 'f1',
			image: { mime: 'image/png', width: 1, height: 1, data: 'AAAA' }
		});
		first.appendServerMessage('c', {
			type: 'reply.start',
			replyId: 'r1',
			inReplyTo: 'm1',
			userText: 'hello'
		});
		first.appendServerMessage('c', {
			type: 'reply.end',
			replyId: 'r1',
			text: 'Hi!',
			mood: 'happy'
		});
		first.acknowledge('c', 1);
		first.close();

		const db = new Database(file);
		expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
		db.close();

		const second = new SqliteStore(file);
		expect(second.acceptClientMessage('c', { kind: 'chat', id: 'm1', text: 'hello' })).toBe(false);
		expect(second.replay('c', 0)).toEqual([
			{ type: 'reply.start', replyId: 'r1', inReplyTo: 'm1', userText: 'hello', seq: 1 },
			{ type: 'reply.end', replyId: 'r1', text: 'Hi!', mood: 'happy', seq: 2 }
		]);
		expect(second.pendingChats('c')).toEqual([{ id: 'm2', text: 'still waiting' }]);
		expect(second.latestImage('c')).toMatchObject({ mime: 'image/png', data: 'AAAA' });
		expect(second.ackedSeq('c')).toBe(1);
		expect(second.appendServerMessage('c', delta('next')).seq).toBe(3);
		second.close();
	});

	it('rolls a failed append back whole: no seq is used up, no message half-stored', () => {
		const file = tempFile();
		const store = new SqliteStore(file);
		store.appendServerMessage('c', delta('a'));
		const db = new Database(file);
		db.exec('CREATE TRIGGER refuse BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, "no"); END');
		expect(() => store.appendServerMessage('c', delta('b'))).toThrow();
		db.exec('DROP TRIGGER refuse');
		db.close();
		expect(store.lastSeq('c')).toBe(1);
		expect(store.appendServerMessage('c', delta('c')).seq).toBe(2);
		store.close();
	});

	it('rolls a failed batch of accepts back whole: none of its ids is taken', () => {
		const file = tempFile();
		const store = new SqliteStore(file);
		const db = new Database(file);
		db.exec(
			`CREATE TRIGGER refuse BEFORE INSERT ON inputs WHEN NEW.id = 'bad'
			 BEGIN SELECT RAISE(ABORT, "no"); END`
		);
		const chat = (id: string) => ({
			clientId: 'c',
			input: { kind: 'chat' as const, id, text: id }
		});
		expect(() => store.acceptClientMessages([chat('a'), chat('bad'), chat('b')])).toThrow();
		db.exec('DROP TRIGGER refuse');
		db.close();
		expect(store.pendingChats('c')).toEqual([]);
		expect(store.acceptClientMessages([chat('a'), chat('b')])).toEqual([true, true]);
		store.close();
	});

	it('recovers one client id at a time: a fault in one leaves the others recovered and is reported', () => {
		const file = tempFile();
		const store = new SqliteStore(file);
		for (const clientId of ['broken', 'fine']) {
			store.acceptClientMessage(clientId, { kind: 'chat', id: 'm', text: 'hi' });
			store.appendServerMessage(clientId, { type: 'reply.start', replyId: 'r', inReplyTo: 'm' });
		}
		const db = new Database(file);
		db.exec(
			`CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.client_id = 'broken'
			 BEGIN SELECT RAISE(ABORT, 'bad data'); END`
		);
		const report = store.recover();
		db.exec('DROP TRIGGER refuse');
		db.close();
		expect(report.recovered).toEqual([{ clientId: 'fine', replyId: 'r', seq: 2 }]);
		expect(report.failed).toEqual([{ clientId: 'broken', error: expect.any(Error) }]);
		expect(store.lastSeq('broken')).toBe(1);
		store.close();
	});

	it('migrates a version 1 file: every log keeps its messages, gets an epoch and no owner', () => {
		const file = tempFile();
		const v1 = new Database(file);
		v1.exec(SCHEMA_MIGRATIONS[0] as string);
		v1.pragma('user_version = 1');
		v1.exec(`INSERT INTO clients (client_id, last_seq, acked_seq) VALUES ('old', 2, 1)`);
		v1.exec(
			`INSERT INTO messages (client_id, seq, at, body) VALUES
			 ('old', 1, 0, '{"type":"reply.delta","replyId":"r","text":"a","seq":1}'),
			 ('old', 2, 0, '{"type":"reply.delta","replyId":"r","text":"b","seq":2}')`
		);
		v1.exec(
			`INSERT INTO inputs (client_id, id, at, kind, text, answered)
			 VALUES ('waiting', 'm', 0, 'chat', 'hello?', 0)`
		);
		v1.close();

		const store = new SqliteStore(file);
		const old = store.identity('old');
		expect(old).toEqual({ epoch: expect.stringMatching(/^[0-9a-f]{32}$/), tokenHash: null });
		expect(store.identity('waiting')).toMatchObject({ tokenHash: null });
		expect(store.identity('waiting')?.epoch).not.toBe(old?.epoch);
		expect(store.replay('old', 0).map((m) => m.seq)).toEqual([1, 2]);
		expect(store.ackedSeq('old')).toBe(1);
		expect(store.arrive([{ clientId: 'old', tokenHash: 'hash' }])).toEqual([
			{
				claimed: true,
				identity: { epoch: old?.epoch, tokenHash: 'hash' },
				lastSeq: 2,
				created: false
			}
		]);
		expect(store.appendServerMessage('old', delta('c')).seq).toBe(3);
		store.close();
		const db = new Database(file, { readonly: true });
		expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
		db.close();
	});

	it('refuses a file that is not a database with a StoreOpenError naming the file', () => {
		const file = tempFile();
		writeFileSync(file, 'this is not a database, just some text that is long enough '.repeat(40));
		expect(() => new SqliteStore(file)).toThrow(StoreOpenError);
		expect(() => new SqliteStore(file)).toThrow(
			new RegExp(`Cannot open the message store ${escape(file)}: .*not a database`)
		);
	});

	it('refuses a file written by a newer schema version', () => {
		const file = tempFile();
		new SqliteStore(file).close();
		const db = new Database(file);
		db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
		db.close();
		expect(() => new SqliteStore(file)).toThrow(
			new RegExp(`schema version ${SCHEMA_VERSION + 1} is newer than this server`)
		);
		expect(existsSync(file)).toBe(true);
	});
});

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
