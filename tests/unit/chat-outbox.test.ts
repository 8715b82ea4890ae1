import { afterEach, describe, expect, it, vi } from 'vitest';
import {
	makeMessageId,
	Outbox,
	OUTBOX_MAX_AGE_MS,
	type OutboxMessage
} from '../../src/lib/chat/outbox.svelte';
import { MemoryStorage } from '../support/memory-storage';

const KEY = 'talkline.outbox.client-a';
const HOUR = 60 * 60 * 1000;

const chat = (id: string, text = `text of ${id}`): OutboxMessage => ({ type: 'chat', id, text });
const frame = (id: string, data = 'AAAA'): OutboxMessage => ({
	type: 'frame',
	id,
	mime: 'image/jpeg',
	width: 4,
	height: 3,
	data
});

/** A settable clock for the outbox's `now`. */
function clock(start = 1_700_000_000_000) {
	let time = start;
	return {
		now: () => time,
		advance: (ms: number) => (time += ms)
	};
}

const ids = (outbox: Outbox) => outbox.entries.map((entry) => entry.id);
const states = (outbox: Outbox) => outbox.entries.map((entry) => [entry.id, entry.state]);

afterEach(() => {
	vi.restoreAllMocks();
});

describe('makeMessageId', () => {
	it('makes a different id every time, short enough for the protocol', () => {
		const made = Array.from({ length: 200 }, () => makeMessageId());
		expect(new Set(made).size).toBe(made.length);
		for (const id of made) expect(id.length).toBeGreaterThan(0);
		for (const id of made) expect(id.length).toBeLessThanOrEqual(128);
	});
});

describe('Outbox.move', () => {
	it('moves the stored outbox of one client id to another', () => {
		const stored = JSON.stringify({ version: 1, entries: [] });
		const storage = new MemoryStorage({ 'talkline.outbox.c-lost': stored });
		Outbox.move(storage, 'c-lost', 'c-new');
		expect(storage.getItem('talkline.outbox.c-new')).toBe(stored);
		expect(storage.getItem('talkline.outbox.c-lost')).toBeNull();
	});

	it('moves nothing when the first id has no outbox', () => {
		const storage = new MemoryStorage({ 'talkline.outbox.c-new': 'kept' });
		Outbox.move(storage, 'c-lost', 'c-new');
		expect(storage.getItem('talkline.outbox.c-new')).toBe('kept');
	});
});

describe('Outbox: states and persistence', () => {
	it('queues a message as pending, then marks it sent and acked', () => {
		const outbox = new Outbox({ clientId: 'client-a', storage: new MemoryStorage() });
		const { entry, dropped } = outbox.add(chat('m1'));
		expect(entry).toMatchObject({ id: 'm1', state: 'pending' });
		expect(dropped).toEqual([]);
		outbox.markSent('m1');
		expect(states(outbox)).toEqual([['m1', 'sent']]);
		outbox.markAcked('m1');
		expect(states(outbox)).toEqual([['m1', 'acked']]);
		expect(outbox.unacknowledged()).toEqual([]);
	});

	it('keeps its entries in storage under a key of its own client id', () => {
		const storage = new MemoryStorage();
		const a = new Outbox({ clientId: 'client-a', storage });
		const b = new Outbox({ clientId: 'client-b', storage });
		a.add(chat('for-a'));
		b.add(chat('for-b'));
		expect(storage.getItem(KEY)).toContain('for-a');
		expect(storage.getItem(KEY)).not.toContain('for-b');
		expect(storage.getItem('talkline.outbox.client-b')).toContain('for-b');
	});

	it('restores entries and their states from storage after a reload', () => {
		const storage = new MemoryStorage();
		const first = new Outbox({ clientId: 'client-a', storage });
		first.add(chat('m1'));
		first.add(chat('m2'));
		first.add(frame('f1'));
		first.markSent('m1');
		first.markSent('m2');
		first.markAcked('m2');

		const reloaded = new Outbox({ clientId: 'client-a', storage });
		expect(states(reloaded)).toEqual([
			['m1', 'sent'],
			['m2', 'acked'],
			['f1', 'pending']
		]);
		expect(reloaded.entries.map((entry) => entry.message)).toEqual([
			chat('m1'),
			chat('m2'),
			frame('f1')
		]);
	});

	it('does not mark an acked message sent again', () => {
		const outbox = new Outbox({ clientId: 'client-a', storage: new MemoryStorage() });
		outbox.add(chat('m1'));
		outbox.markAcked('m1');
		outbox.markSent('m1');
		expect(states(outbox)).toEqual([['m1', 'acked']]);
	});

	it('forgets a frame once it is acked, since a frame needs no answer', () => {
		const outbox = new Outbox({ clientId: 'client-a', storage: new MemoryStorage() });
		outbox.add(frame('f1'));
		outbox.markSent('f1');
		expect(outbox.markAcked('f1')).toMatchObject({ id: 'f1' });
		expect(outbox.entries).toEqual([]);
	});

	it('returns nothing for an ack of an id it does not hold', () => {
		const outbox = new Outbox({ clientId: 'client-a', storage: new MemoryStorage() });
		outbox.add(chat('m1'));
		expect(outbox.markAcked('other')).toBeUndefined();
		expect(states(outbox)).toEqual([['m1', 'pending']]);
	});

	/** m1 acked, m2 sent, m3 pending. */
	function oneInEachState(storage: Storage): Outbox {
		const outbox = new Outbox({ clientId: 'client-a', storage });
		for (const id of ['m1', 'm2', 'm3']) outbox.add(chat(id));
		outbox.markSent('m1');
		outbox.markSent('m2');
		outbox.markAcked('m1');
		return outbox;
	}

	it('puts sent but unacknowledged messages back to pending when a socket closes', () => {
		const storage = new MemoryStorage();
		const outbox = oneInEachState(storage);
		outbox.requeueSent();
		expect(states(outbox)).toEqual([
			['m1', 'acked'],
			['m2', 'pending'],
			['m3', 'pending']
		]);
		expect(outbox.unacknowledged().map((entry) => entry.id)).toEqual(['m2', 'm3']);
		expect(states(new Outbox({ clientId: 'client-a', storage }))).toEqual(states(outbox));
	});

	it('requeues one sent message the server failed to store, and nothing acked or pending', () => {
		const storage = new MemoryStorage();
		const outbox = oneInEachState(storage);
		for (const id of ['m1', 'm2', 'm3']) outbox.requeue(id);
		expect(states(outbox)).toEqual([
			['m1', 'acked'],
			['m2', 'pending'],
			['m3', 'pending']
		]);
		expect(states(new Outbox({ clientId: 'client-a', storage }))).toEqual(states(outbox));
	});

	it('removes a message for good, also from storage', () => {
		const storage = new MemoryStorage();
		const outbox = new Outbox({ clientId: 'client-a', storage });
		outbox.add(chat('m1'));
		outbox.add(chat('m2'));
		outbox.remove('m1');
		expect(ids(outbox)).toEqual(['m2']);
		expect(ids(new Outbox({ clientId: 'client-a', storage }))).toEqual(['m2']);
	});

	it('works in memory when it has no storage at all', () => {
		const outbox = new Outbox({ clientId: 'client-a', storage: null });
		outbox.add(chat('m1'));
		outbox.markSent('m1');
		expect(states(outbox)).toEqual([['m1', 'sent']]);
		expect(outbox.saveFailed).toBe(false);
	});
});

describe('Outbox: bounds', () => {
	it('holds at most 100 entries and reports the oldest unacknowledged one it had to drop', () => {
		const outbox = new Outbox({ clientId: 'client-a', storage: new MemoryStorage() });
		for (let i = 1; i <= 100; i++) expect(outbox.add(chat(`m${i}`)).dropped).toEqual([]);
		const { dropped } = outbox.add(chat('m101'));
		expect(dropped.map((entry) => entry.id)).toEqual(['m1']);
		expect(outbox.entries).toHaveLength(100);
		expect(ids(outbox)[0]).toBe('m2');
		expect(ids(outbox).at(-1)).toBe('m101');
	});

	it('makes room by letting acknowledged entries go first, without reporting them', () => {
		const outbox = new Outbox({ clientId: 'client-a', storage: new MemoryStorage() });
		for (let i = 1; i <= 100; i++) outbox.add(chat(`m${i}`));
		outbox.markAcked('m50');
		outbox.markAcked('m70');
		expect(outbox.add(chat('m101')).dropped).toEqual([]);
		expect(outbox.add(chat('m102')).dropped).toEqual([]);
		expect(ids(outbox)).not.toContain('m50');
		expect(ids(outbox)).not.toContain('m70');
		expect(ids(outbox)[0]).toBe('m1');
		const { dropped } = outbox.add(chat('m103'));
		expect(dropped.map((entry) => entry.id)).toEqual(['m1']);
	});

	it('drops entries older than 24 hours and reports the unacknowledged ones', () => {
		const time = clock();
		const storage = new MemoryStorage();
		const outbox = new Outbox({ clientId: 'client-a', storage, now: time.now });
		outbox.add(chat('old-pending'));
		outbox.add(chat('old-acked'));
		outbox.markAcked('old-acked');
		time.advance(2 * HOUR);
		outbox.add(chat('newer'));

		time.advance(OUTBOX_MAX_AGE_MS - 2 * HOUR);
		expect(outbox.expire().dropped).toEqual([]);

		time.advance(1);
		const { dropped } = outbox.expire();
		expect(dropped.map((entry) => entry.id)).toEqual(['old-pending']);
		expect(ids(outbox)).toEqual(['newer']);
		expect(ids(new Outbox({ clientId: 'client-a', storage, now: time.now }))).toEqual(['newer']);
	});

	it('expires old entries when a new message is added and reports them with the add', () => {
		const time = clock();
		const outbox = new Outbox({
			clientId: 'client-a',
			storage: new MemoryStorage(),
			now: time.now
		});
		outbox.add(chat('yesterday'));
		time.advance(25 * HOUR);
		const { dropped, entry } = outbox.add(chat('today'));
		expect(dropped.map((e) => e.id)).toEqual(['yesterday']);
		expect(entry.createdAt).toBe(time.now());
		expect(ids(outbox)).toEqual(['today']);
	});

	it('lets a newer frame supersede an older unacknowledged one, and keeps chats in order', () => {
		const outbox = new Outbox({ clientId: 'client-a', storage: new MemoryStorage() });
		outbox.add(frame('f1'));
		outbox.add(chat('m1'));
		outbox.markSent('f1');
		const { dropped } = outbox.add(frame('f2'));
		expect(dropped).toEqual([]);
		expect(ids(outbox)).toEqual(['m1', 'f2']);
	});
});

describe('Outbox: storage that fails', () => {
	it('resets unreadable stored JSON with a warning instead of throwing', () => {
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		const storage = new MemoryStorage({ [KEY]: '{not json' });
		const outbox = new Outbox({ clientId: 'client-a', storage });
		expect(outbox.entries).toEqual([]);
		expect(warn).toHaveBeenCalledTimes(1);
		outbox.add(chat('m1'));
		expect(ids(new Outbox({ clientId: 'client-a', storage }))).toEqual(['m1']);
	});

	it('resets stored JSON of the wrong shape with a warning', () => {
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		const stored = { version: 1, entries: [{ id: 'x', state: 'lost', createdAt: 1 }] };
		const storage = new MemoryStorage({ [KEY]: JSON.stringify(stored) });
		expect(new Outbox({ clientId: 'client-a', storage }).entries).toEqual([]);
		expect(warn).toHaveBeenCalledTimes(1);
	});

	it('starts empty, without a warning, when there is nothing stored', () => {
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		expect(new Outbox({ clientId: 'client-a', storage: new MemoryStorage() }).entries).toEqual([]);
		expect(warn).not.toHaveBeenCalled();
	});

	it('starts empty when reading storage throws', () => {
		const storage = new MemoryStorage();
		storage.blocked = true;
		expect(new Outbox({ clientId: 'client-a', storage }).entries).toEqual([]);
	});

	it('keeps working in memory and sets saveFailed when storage is full', () => {
		const storage = new MemoryStorage({}, 0);
		const outbox = new Outbox({ clientId: 'client-a', storage });
		expect(() => outbox.add(chat('m1'))).not.toThrow();
		outbox.markSent('m1');
		expect(states(outbox)).toEqual([['m1', 'sent']]);
		expect(outbox.saveFailed).toBe(true);
		expect(storage.getItem(KEY)).toBeNull();
	});

	it('still saves the chats when a frame does not fit', () => {
		const bigStill = 'A'.repeat(4000);
		const storage = new MemoryStorage({}, 2000);
		const outbox = new Outbox({ clientId: 'client-a', storage });
		outbox.add(chat('m1'));
		expect(outbox.saveFailed).toBe(false);
		outbox.add(frame('f1', bigStill));
		outbox.add(chat('m2'));
		expect(outbox.saveFailed).toBe(true);
		expect(ids(outbox)).toEqual(['m1', 'f1', 'm2']);
		expect(ids(new Outbox({ clientId: 'client-a', storage }))).toEqual(['m1', 'm2']);
	});

	it('clears saveFailed once a save succeeds again', () => {
		const storage = new MemoryStorage({}, 2000);
		const outbox = new Outbox({ clientId: 'client-a', storage });
		outbox.add(frame('f1', 'A'.repeat(4000)));
		expect(outbox.saveFailed).toBe(true);
		outbox.remove('f1');
		expect(outbox.saveFailed).toBe(false);
	});
});
