/**
 * The behaviour every MessageStore must have, as a reusable suite. Both stores run it:
 *
 *   describeMessageStore('MemoryStore', (retention) => asyncStore(new MemoryStore(retention)));
 *   describeMessageStore('SqliteStore', (r) => asyncStore(new SqliteStore(tmpFile(), r)));
 *   describeMessageStore('RedisStore', (retention) => redisStore(retention)); // a real redis-server
 */
import { describe, expect, it } from 'vitest';
import type { UnsequencedMessage } from '../../src/lib/protocol/server-messages';
import type { MessageStore, RetentionOptions } from '../../src/lib/server/store/message-store';

const HOUR = 3_600_000;
const delta = (text: string, replyId = 'r'): UnsequencedMessage => ({
	type: 'reply.delta',
	replyId,
	text
});
const chat = (id: string, text = `text of ${id}`) => ({ kind: 'chat' as const, id, text });
const still = { mime: 'image/png', width: 2, height: 1, data: 'AAAA' };

/** A clock a test moves by hand. */
function manualClock(start = Date.UTC(2030, 0, 1)) {
	const clock = { t: start, now: () => clock.t };
	return clock;
}

/** Runs the MessageStore contract against stores made by `make` (a fresh, empty one per test). */
export function describeMessageStore(
	name: string,
	make: (retention?: Partial<RetentionOptions>) => MessageStore
): void {
	describe(`${name} (MessageStore contract)`, () => {
		it('accepts a client message id once: true the first time, false after', async () => {
			const store = make();
			expect(await store.acceptClientMessage('c', chat('m1'))).toBe(true);
			expect(await store.acceptClientMessage('c', chat('m1'))).toBe(false);
			expect(await store.acceptClientMessage('c', chat('m2'))).toBe(true);
			expect(await store.acceptClientMessage('other', chat('m1'))).toBe(true);
			expect(await store.acceptClientMessage('c', { kind: 'frame', id: 'm1', image: still })).toBe(
				false
			);
			await store.close();
		});

		it('accepts a batch in order: an id new only the first time, per client id, with the still kept', async () => {
			const store = make();
			await store.acceptClientMessage('c', chat('before'));
			const frame = { kind: 'frame' as const, id: 'f1', image: still };
			expect(
				await store.acceptClientMessages([
					{ clientId: 'c', input: chat('a') },
					{ clientId: 'c', input: chat('before') },
					{ clientId: 'd', input: chat('a') },
					{ clientId: 'c', input: chat('a') },
					{ clientId: 'c', input: frame },
					{ clientId: 'c', input: chat('b') }
				])
			).toEqual([true, false, true, false, true, true]);
			expect((await store.pendingChats('c')).map((pending) => pending.id)).toEqual([
				'before',
				'a',
				'b'
			]);
			expect(await store.pendingChats('d')).toEqual([{ id: 'a', text: 'text of a' }]);
			expect(await store.latestImage('c')).toEqual(still);
			expect(await store.acceptClientMessages([])).toEqual([]);
			await store.close();
		});

		it('numbers server messages per client id from 1 without gaps, and returns them stamped', async () => {
			const store = make();
			expect(await store.lastSeq('c')).toBe(0);
			expect(await store.appendServerMessage('c', delta('a'))).toEqual({ ...delta('a'), seq: 1 });
			expect((await store.appendServerMessage('c', delta('b'))).seq).toBe(2);
			expect((await store.appendServerMessage('d', delta('x'))).seq).toBe(1);
			expect(
				await store.appendServerMessage('c', {
					type: 'reply.end',
					replyId: 'r',
					text: 'ab',
					mood: 'happy'
				})
			).toEqual({ type: 'reply.end', replyId: 'r', text: 'ab', mood: 'happy', seq: 3 });
			expect(await store.lastSeq('c')).toBe(3);
			await store.close();
		});

		it('replays the messages after a seq, in order, limited on request, with every field', async () => {
			const store = make();
			const start = { type: 'reply.start', replyId: 'r', inReplyTo: 'm', userText: 'hi' } as const;
			await store.appendServerMessage('c', start);
			for (const text of ['a', 'b', 'c']) await store.appendServerMessage('c', delta(text));
			expect((await store.replay('c', 0)).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
			expect((await store.replay('c', 0))[0]).toEqual({ ...start, seq: 1 });
			expect((await store.replay('c', 2)).map((m) => m.seq)).toEqual([3, 4]);
			expect((await store.replay('c', 1, 2)).map((m) => m.seq)).toEqual([2, 3]);
			expect(await store.replay('c', 4)).toEqual([]);
			expect(await store.replay('nobody', 0)).toEqual([]);
			await store.close();
		});

		it('records acknowledgements without deleting history, never backwards, never past lastSeq', async () => {
			const store = make();
			for (const text of ['a', 'b', 'c']) await store.appendServerMessage('c', delta(text));
			await store.acknowledge('c', 2);
			expect(await store.ackedSeq('c')).toBe(2);
			await store.acknowledge('c', 1);
			expect(await store.ackedSeq('c')).toBe(2);
			await store.acknowledge('c', 99);
			expect(await store.ackedSeq('c')).toBe(3);
			expect((await store.replay('c', 0)).map((m) => m.seq)).toEqual([1, 2, 3]);
			await store.acknowledge('nobody', 5);
			expect(await store.ackedSeq('nobody')).toBe(0);
			await store.close();
		});

		/** One connection's arrival: the id's identity and last seq, claimed if nobody owns it. */
		const arrive = async (store: MessageStore, clientId: string, tokenHash: string) =>
			(await store.arrive([{ clientId, tokenHash }]))[0];

		it('knows no identity for an unknown id; an arrival claims it, with an epoch and the token hash', async () => {
			const store = make();
			expect(await store.identity('c')).toBeUndefined();
			const first = await arrive(store, 'c', 'hash-a');
			expect(first?.claimed).toBe(true);
			expect(first?.identity.tokenHash).toBe('hash-a');
			expect(first?.identity.epoch).toMatch(/^[0-9a-f]{32}$/);
			expect(first?.lastSeq).toBe(0);
			expect(await store.identity('c')).toEqual(first?.identity);
			expect(await store.lastSeq('c')).toBe(0);
			await store.close();
		});

		it('claims set-if-absent: a later arrival at an owned id changes nothing and names the owner', async () => {
			const store = make();
			const first = await arrive(store, 'c', 'hash-a');
			await store.appendServerMessage('c', delta('a'));
			const second = await arrive(store, 'c', 'hash-b');
			expect(second).toEqual({
				claimed: false,
				identity: first?.identity,
				lastSeq: 1,
				created: false
			});
			expect((await store.identity('c'))?.tokenHash).toBe('hash-a');
			expect((await arrive(store, 'd', 'hash-b'))?.claimed).toBe(true);
			expect((await store.identity('d'))?.epoch).not.toBe(first?.identity.epoch);
			await store.close();
		});

		it('answers many arrivals at once, in order: an id that comes twice is claimed only the first time', async () => {
			const store = make();
			await arrive(store, 'owned', 'hash-o');
			await store.appendServerMessage('owned', delta('a'));
			await store.appendServerMessage('owned', delta('b'));
			const [x, owned, y, xAgain] = await store.arrive([
				{ clientId: 'x', tokenHash: 'hash-x1' },
				{ clientId: 'owned', tokenHash: 'hash-o2' },
				{ clientId: 'y', tokenHash: 'hash-y' },
				{ clientId: 'x', tokenHash: 'hash-x2' }
			]);
			expect(x).toMatchObject({ claimed: true, identity: { tokenHash: 'hash-x1' }, lastSeq: 0 });
			expect(owned).toMatchObject({
				claimed: false,
				identity: { tokenHash: 'hash-o' },
				lastSeq: 2
			});
			expect(y).toMatchObject({ claimed: true, identity: { tokenHash: 'hash-y' } });
			expect(xAgain).toEqual({ claimed: false, identity: x?.identity, lastSeq: 0, created: false });
			expect(await store.arrive([])).toEqual([]);
			await store.close();
		});

		it('says an arrival created the log only when nothing at all was stored for the id', async () => {
			const store = make();
			const first = await store.arrive([
				{ clientId: 'new', tokenHash: 'hash-a' },
				{ clientId: 'new', tokenHash: 'hash-b' }
			]);
			expect(first.map((arrival) => arrival.created)).toEqual([true, false]);
			expect((await arrive(store, 'new', 'hash-a'))?.created).toBe(false);
			// Written before any arrival (a store from before ownership): a chat, a message.
			await store.acceptClientMessage('chatted', chat('m'));
			await store.appendServerMessage('answered', delta('a'));
			expect((await arrive(store, 'chatted', 'hash-c'))?.created).toBe(false);
			expect((await arrive(store, 'answered', 'hash-d'))?.created).toBe(false);
			await store.close();
		});

		it('gives a log made without a claim an epoch and no owner; the next arrival claims it, keeping the log', async () => {
			const store = make();
			await store.appendServerMessage('c', delta('a'));
			const unowned = await store.identity('c');
			expect(unowned).toEqual({ epoch: expect.stringMatching(/^[0-9a-f]{32}$/), tokenHash: null });
			expect(await arrive(store, 'c', 'hash-a')).toEqual({
				claimed: true,
				identity: { epoch: unowned?.epoch, tokenHash: 'hash-a' },
				lastSeq: 1,
				created: false
			});
			expect((await store.replay('c', 0)).map((m) => m.seq)).toEqual([1]);
			expect((await store.appendServerMessage('c', delta('b'))).seq).toBe(2);
			await store.close();
		});

		it('keeps an accepted chat pending, in order, until a reply to it ends or is interrupted', async () => {
			const store = make();
			for (const id of ['a', 'b', 'c']) await store.acceptClientMessage('c', chat(id));
			await store.acceptClientMessage('c', { kind: 'frame', id: 'f', image: still });
			expect(await store.pendingChats('c')).toEqual([chat('a'), chat('b'), chat('c')].map(pending));
			await store.appendServerMessage('c', { type: 'reply.start', replyId: 'ra', inReplyTo: 'a' });
			expect((await store.pendingChats('c')).map((p) => p.id)).toEqual(['a', 'b', 'c']);
			await store.appendServerMessage('c', { type: 'reply.end', replyId: 'ra', text: 'done' });
			await store.appendServerMessage('c', { type: 'reply.start', replyId: 'rb', inReplyTo: 'b' });
			await store.appendServerMessage('c', { type: 'reply.interrupted', replyId: 'rb' });
			expect(await store.pendingChats('c')).toEqual([pending(chat('c'))]);
			expect(await store.pendingChats('other')).toEqual([]);
			await store.close();
		});

		it('claims the answering of a chat once: a second start of it is refused', async () => {
			const store = make();
			await store.acceptClientMessage('c', chat('a'));
			const start = { type: 'reply.start' as const, inReplyTo: 'a', userText: 'text of a' };
			const first = await store.startReply('c', { ...start, replyId: 'r1' });
			expect(first).toEqual({ started: { ...start, replyId: 'r1', seq: 1 } });
			expect(await store.startReply('c', { ...start, replyId: 'r2' })).toEqual({
				refused: 'answered'
			});
			await store.appendServerMessage('c', { type: 'reply.end', replyId: 'r1', text: 'hi' });
			expect(await store.startReply('c', { ...start, replyId: 'r3' })).toEqual({
				refused: 'answered'
			});
			expect(await store.lastSeq('c')).toBe(2);
			const unknown = { type: 'reply.start' as const, replyId: 'r4', inReplyTo: 'never-accepted' };
			expect((await store.startReply('c', unknown)).started?.seq).toBe(3);
			await store.close();
		});

		it('keeps the latest still as context, not as a pending question', async () => {
			const store = make();
			expect(await store.latestImage('c')).toBeUndefined();
			await store.acceptClientMessage('c', { kind: 'frame', id: 'f1', image: still });
			const newer = { ...still, width: 3, data: 'BBBB' };
			await store.acceptClientMessage('c', { kind: 'frame', id: 'f2', image: newer });
			expect(await store.latestImage('c')).toEqual(newer);
			expect(await store.pendingChats('c')).toEqual([]);
			expect(await store.latestImage('other')).toBeUndefined();
			await store.close();
		});

		it('recovers a reply left open by a crash by storing reply.interrupted, once', async () => {
			const store = make();
			await store.acceptClientMessage('c', chat('a'));
			await store.acceptClientMessage('c', chat('b'));
			await store.appendServerMessage('c', { type: 'reply.start', replyId: 'ra', inReplyTo: 'a' });
			await store.appendServerMessage('c', delta('half', 'ra'));
			expect(await store.recover()).toEqual({
				recovered: [{ clientId: 'c', replyId: 'ra', seq: 3 }],
				failed: []
			});
			expect(await store.replay('c', 2)).toEqual([
				{ type: 'reply.interrupted', replyId: 'ra', seq: 3 }
			]);
			expect(await store.pendingChats('c')).toEqual([pending(chat('b'))]);
			expect(await store.recover()).toEqual({ recovered: [], failed: [] });
			await store.close();
		});

		it('leaves open the replies this process still streams (a worker recovering after taking over)', async () => {
			const store = make();
			await store.acceptClientMessage('c', chat('a'));
			await store.acceptClientMessage('d', chat('b'));
			await store.appendServerMessage('c', {
				type: 'reply.start',
				replyId: 'crashed',
				inReplyTo: 'a'
			});
			await store.appendServerMessage('d', {
				type: 'reply.start',
				replyId: 'mine',
				inReplyTo: 'b'
			});
			expect(await store.recover((replyId) => replyId === 'mine')).toEqual({
				recovered: [{ clientId: 'c', replyId: 'crashed', seq: 2 }],
				failed: []
			});
			expect(await store.replay('d', 0)).toEqual([
				{ type: 'reply.start', replyId: 'mine', inReplyTo: 'b', seq: 1 }
			]);
			await store.close();
		});

		it('trims acknowledged messages past the count limit, oldest first, and keeps unacknowledged ones', async () => {
			const store = make({ retainMessages: 3 });
			for (let i = 1; i <= 6; i++) await store.appendServerMessage('c', delta(String(i)));
			expect((await store.replay('c', 0)).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
			await store.acknowledge('c', 2);
			expect((await store.replay('c', 0)).map((m) => m.seq)).toEqual([3, 4, 5, 6]);
			await store.acknowledge('c', 6);
			expect((await store.replay('c', 0)).map((m) => m.seq)).toEqual([4, 5, 6]);
			await store.appendServerMessage('c', delta('7'));
			expect((await store.replay('c', 0)).map((m) => m.seq)).toEqual([5, 6, 7]);
			expect(await store.lastSeq('c')).toBe(7);
			await store.close();
		});

		it('drops unacknowledged messages only past ten times the count limit', async () => {
			const store = make({ retainMessages: 2 });
			for (let i = 1; i <= 25; i++) await store.appendServerMessage('c', delta(String(i)));
			expect((await store.replay('c', 0)).map((m) => m.seq)).toEqual(range(6, 25));
			await store.close();
		});

		it('drops messages and stills past the age limit, and accepted ids after at least 48 hours', async () => {
			const clock = manualClock();
			const store = make({ retainMs: 24 * HOUR, now: clock.now });
			await store.acceptClientMessage('c', chat('old'));
			await store.acceptClientMessage('c', { kind: 'frame', id: 'f', image: still });
			await store.appendServerMessage('c', delta('old'));
			clock.t += 20 * HOUR;
			await store.appendServerMessage('c', delta('newer'));
			clock.t += 5 * HOUR; // the first message is 25 h old, the second 5 h
			await store.sweep();
			expect((await store.replay('c', 0)).map((m) => m.seq)).toEqual([2]);
			expect(await store.latestImage('c')).toBeUndefined();
			expect(await store.acceptClientMessage('c', chat('old'))).toBe(false); // 25 h < 48 h
			clock.t += 24 * HOUR;
			await store.sweep();
			expect(await store.replay('c', 0)).toEqual([]);
			expect(await store.acceptClientMessage('c', chat('old'))).toBe(true); // 49 h: forgotten
			expect((await store.appendServerMessage('c', delta('again'))).seq).toBe(3); // never from 1 again
			await store.close();
		});

		it('can be closed twice', async () => {
			const store = make();
			await store.close();
			await expect(store.close()).resolves.toBeUndefined();
		});
	});
}

function pending({ id, text }: { id: string; text: string }) {
	return { id, text };
}

function range(from: number, to: number): number[] {
	return Array.from({ length: to - from + 1 }, (_v, i) => from + i);
}
