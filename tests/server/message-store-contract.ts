/**
 * The behaviour every MessageStore must have, as a reusable suite. Both stores run it:
 *
 *   describeMessageStore('MemoryStore', (retention) => new MemoryStore(retention));
 *   describeMessageStore('SqliteStore', (retention) => new SqliteStore(tmpFile(), retention));
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
		it('accepts a client message id once: true the first time, false after', () => {
			const store = make();
			expect(store.acceptClientMessage('c', chat('m1'))).toBe(true);
			expect(store.acceptClientMessage('c', chat('m1'))).toBe(false);
			expect(store.acceptClientMessage('c', chat('m2'))).toBe(true);
			expect(store.acceptClientMessage('other', chat('m1'))).toBe(true);
			expect(store.acceptClientMessage('c', { kind: 'frame', id: 'm1', image: still })).toBe(false);
			store.close();
		});

		it('accepts a batch in order: an id new only the first time, per client id, with the still kept', () => {
			const store = make();
			store.acceptClientMessage('c', chat('before'));
			const frame = { kind: 'frame' as const, id: 'f1', image: still };
			expect(
				store.acceptClientMessages([
					{ clientId: 'c', input: chat('a') },
					{ clientId: 'c', input: chat('before') },
					{ clientId: 'd', input: chat('a') },
					{ clientId: 'c', input: chat('a') },
					{ clientId: 'c', input: frame },
					{ clientId: 'c', input: chat('b') }
				])
			).toEqual([true, false, true, false, true, true]);
			expect(store.pendingChats('c').map((pending) => pending.id)).toEqual(['before', 'a', 'b']);
			expect(store.pendingChats('d')).toEqual([{ id: 'a', text: 'text of a' }]);
			expect(store.latestImage('c')).toEqual(still);
			expect(store.acceptClientMessages([])).toEqual([]);
			store.close();
		});

		it('numbers server messages per client id from 1 without gaps, and returns them stamped', () => {
			const store = make();
			expect(store.lastSeq('c')).toBe(0);
			expect(store.appendServerMessage('c', delta('a'))).toEqual({ ...delta('a'), seq: 1 });
			expect(store.appendServerMessage('c', delta('b')).seq).toBe(2);
			expect(store.appendServerMessage('d', delta('x')).seq).toBe(1);
			expect(
				store.appendServerMessage('c', {
					type: 'reply.end',
					replyId: 'r',
					text: 'ab',
					mood: 'happy'
				})
			).toEqual({ type: 'reply.end', replyId: 'r', text: 'ab', mood: 'happy', seq: 3 });
			expect(store.lastSeq('c')).toBe(3);
			store.close();
		});

		it('replays the messages after a seq, in order, limited on request, with every field', () => {
			const store = make();
			const start = { type: 'reply.start', replyId: 'r', inReplyTo: 'm', userText: 'hi' } as const;
			store.appendServerMessage('c', start);
			for (const text of ['a', 'b', 'c']) store.appendServerMessage('c', delta(text));
			expect(store.replay('c', 0).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
			expect(store.replay('c', 0)[0]).toEqual({ ...start, seq: 1 });
			expect(store.replay('c', 2).map((m) => m.seq)).toEqual([3, 4]);
			expect(store.replay('c', 1, 2).map((m) => m.seq)).toEqual([2, 3]);
			expect(store.replay('c', 4)).toEqual([]);
			expect(store.replay('nobody', 0)).toEqual([]);
			store.close();
		});

		it('records acknowledgements without deleting history, never backwards, never past lastSeq', () => {
			const store = make();
			for (const text of ['a', 'b', 'c']) store.appendServerMessage('c', delta(text));
			store.acknowledge('c', 2);
			expect(store.ackedSeq('c')).toBe(2);
			store.acknowledge('c', 1);
			expect(store.ackedSeq('c')).toBe(2);
			store.acknowledge('c', 99);
			expect(store.ackedSeq('c')).toBe(3);
			expect(store.replay('c', 0).map((m) => m.seq)).toEqual([1, 2, 3]);
			store.acknowledge('nobody', 5);
			expect(store.ackedSeq('nobody')).toBe(0);
			store.close();
		});

		it('knows no identity for an unknown id; a claim makes one, with an epoch and the token hash', () => {
			const store = make();
			expect(store.identity('c')).toBeUndefined();
			const first = store.claim('c', 'hash-a');
			expect(first.claimed).toBe(true);
			expect(first.identity.tokenHash).toBe('hash-a');
			expect(first.identity.epoch).toMatch(/^[0-9a-f]{32}$/);
			expect(store.identity('c')).toEqual(first.identity);
			expect(store.lastSeq('c')).toBe(0);
			store.close();
		});

		it('claims set-if-absent: a second claim of an owned id changes nothing and names the owner', () => {
			const store = make();
			const first = store.claim('c', 'hash-a');
			const second = store.claim('c', 'hash-b');
			expect(second).toEqual({ claimed: false, identity: first.identity });
			expect(store.identity('c')?.tokenHash).toBe('hash-a');
			expect(store.claim('d', 'hash-b').claimed).toBe(true);
			expect(store.identity('d')?.epoch).not.toBe(first.identity.epoch);
			store.close();
		});

		it('gives a log made without a claim an epoch and no owner; the next claim takes it, keeping the log', () => {
			const store = make();
			store.appendServerMessage('c', delta('a'));
			const unowned = store.identity('c');
			expect(unowned).toEqual({ epoch: expect.stringMatching(/^[0-9a-f]{32}$/), tokenHash: null });
			const claim = store.claim('c', 'hash-a');
			expect(claim).toEqual({
				claimed: true,
				identity: { epoch: unowned?.epoch, tokenHash: 'hash-a' }
			});
			expect(store.replay('c', 0).map((m) => m.seq)).toEqual([1]);
			expect(store.appendServerMessage('c', delta('b')).seq).toBe(2);
			store.close();
		});

		it('keeps an accepted chat pending, in order, until a reply to it ends or is interrupted', () => {
			const store = make();
			for (const id of ['a', 'b', 'c']) store.acceptClientMessage('c', chat(id));
			store.acceptClientMessage('c', { kind: 'frame', id: 'f', image: still });
			expect(store.pendingChats('c')).toEqual([chat('a'), chat('b'), chat('c')].map(pending));
			store.appendServerMessage('c', { type: 'reply.start', replyId: 'ra', inReplyTo: 'a' });
			expect(store.pendingChats('c').map((p) => p.id)).toEqual(['a', 'b', 'c']);
			store.appendServerMessage('c', { type: 'reply.end', replyId: 'ra', text: 'done' });
			store.appendServerMessage('c', { type: 'reply.start', replyId: 'rb', inReplyTo: 'b' });
			store.appendServerMessage('c', { type: 'reply.interrupted', replyId: 'rb' });
			expect(store.pendingChats('c')).toEqual([pending(chat('c'))]);
			expect(store.pendingChats('other')).toEqual([]);
			store.close();
		});

		it('keeps the latest still as context, not as a pending question', () => {
			const store = make();
			expect(store.latestImage('c')).toBeUndefined();
			store.acceptClientMessage('c', { kind: 'frame', id: 'f1', image: still });
			const newer = { ...still, width: 3, data: 'BBBB' };
			store.acceptClientMessage('c', { kind: 'frame', id: 'f2', image: newer });
			expect(store.latestImage('c')).toEqual(newer);
			expect(store.pendingChats('c')).toEqual([]);
			expect(store.latestImage('other')).toBeUndefined();
			store.close();
		});

		it('recovers a reply left open by a crash by storing reply.interrupted, once', () => {
			const store = make();
			store.acceptClientMessage('c', chat('a'));
			store.acceptClientMessage('c', chat('b'));
			store.appendServerMessage('c', { type: 'reply.start', replyId: 'ra', inReplyTo: 'a' });
			store.appendServerMessage('c', delta('half', 'ra'));
			expect(store.recover()).toEqual({
				recovered: [{ clientId: 'c', replyId: 'ra', seq: 3 }],
				failed: []
			});
			expect(store.replay('c', 2)).toEqual([{ type: 'reply.interrupted', replyId: 'ra', seq: 3 }]);
			expect(store.pendingChats('c')).toEqual([pending(chat('b'))]);
			expect(store.recover()).toEqual({ recovered: [], failed: [] });
			store.close();
		});

		it('trims acknowledged messages past the count limit, oldest first, and keeps unacknowledged ones', () => {
			const store = make({ retainMessages: 3 });
			for (let i = 1; i <= 6; i++) store.appendServerMessage('c', delta(String(i)));
			expect(store.replay('c', 0).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
			store.acknowledge('c', 2);
			expect(store.replay('c', 0).map((m) => m.seq)).toEqual([3, 4, 5, 6]);
			store.acknowledge('c', 6);
			expect(store.replay('c', 0).map((m) => m.seq)).toEqual([4, 5, 6]);
			store.appendServerMessage('c', delta('7'));
			expect(store.replay('c', 0).map((m) => m.seq)).toEqual([5, 6, 7]);
			expect(store.lastSeq('c')).toBe(7);
			store.close();
		});

		it('drops unacknowledged messages only past ten times the count limit', () => {
			const store = make({ retainMessages: 2 });
			for (let i = 1; i <= 25; i++) store.appendServerMessage('c', delta(String(i)));
			expect(store.replay('c', 0).map((m) => m.seq)).toEqual(range(6, 25));
			store.close();
		});

		it('drops messages and stills past the age limit, and accepted ids after at least 48 hours', () => {
			const clock = manualClock();
			const store = make({ retainMs: 24 * HOUR, now: clock.now });
			store.acceptClientMessage('c', chat('old'));
			store.acceptClientMessage('c', { kind: 'frame', id: 'f', image: still });
			store.appendServerMessage('c', delta('old'));
			clock.t += 20 * HOUR;
			store.appendServerMessage('c', delta('newer'));
			clock.t += 5 * HOUR; // the first message is 25 h old, the second 5 h
			store.sweep();
			expect(store.replay('c', 0).map((m) => m.seq)).toEqual([2]);
			expect(store.latestImage('c')).toBeUndefined();
			expect(store.acceptClientMessage('c', chat('old'))).toBe(false); // 25 h < 48 h
			clock.t += 24 * HOUR;
			store.sweep();
			expect(store.replay('c', 0)).toEqual([]);
			expect(store.acceptClientMessage('c', chat('old'))).toBe(true); // 49 h: forgotten
			expect(store.appendServerMessage('c', delta('again')).seq).toBe(3); // never from 1 again
			store.close();
		});

		it('can be closed twice', () => {
			const store = make();
			store.close();
			expect(() => store.close()).not.toThrow();
		});
	});
}

function pending({ id, text }: { id: string; text: string }) {
	return { id, text };
}

function range(from: number, to: number): number[] {
	return Array.from({ length: to - from + 1 }, (_v, i) => from + i);
}
