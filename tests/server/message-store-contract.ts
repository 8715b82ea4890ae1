/**
 * The behaviour every MessageStore must have, as a reusable suite. The in-memory store runs it
 * in memory-store.test.ts; the SQLite store (issue 6) should run it too:
 *
 *   describeMessageStore('SqliteStore', () => new SqliteStore(tmpFile()));
 */
import { describe, expect, it } from 'vitest';
import type { UnsequencedMessage } from '../../src/lib/protocol/server-messages';
import type { MessageStore } from '../../src/lib/server/store/message-store';

const delta = (text: string): UnsequencedMessage => ({ type: 'reply.delta', replyId: 'r', text });

/** Runs the MessageStore contract against stores made by `make` (a fresh, empty one per test). */
export function describeMessageStore(name: string, make: () => MessageStore): void {
	describe(`${name} (MessageStore contract)`, () => {
		it('accepts a client message id once: true the first time, false after', () => {
			const store = make();
			expect(store.acceptClientMessage('c', 'm1')).toBe(true);
			expect(store.acceptClientMessage('c', 'm1')).toBe(false);
			expect(store.acceptClientMessage('c', 'm2')).toBe(true);
			expect(store.acceptClientMessage('other', 'm1')).toBe(true);
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

		it('replays the messages after a seq, in order, limited on request', () => {
			const store = make();
			for (const text of ['a', 'b', 'c', 'd']) store.appendServerMessage('c', delta(text));
			expect(store.replay('c', 0).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
			expect(store.replay('c', 2).map((m) => m.seq)).toEqual([3, 4]);
			expect(store.replay('c', 1, 2).map((m) => m.seq)).toEqual([2, 3]);
			expect(store.replay('c', 4)).toEqual([]);
			expect(store.replay('nobody', 0)).toEqual([]);
			store.close();
		});

		it('trims up to a seq without renumbering what follows', () => {
			const store = make();
			for (const text of ['a', 'b', 'c']) store.appendServerMessage('c', delta(text));
			store.trim('c', 2);
			expect(store.replay('c', 0).map((m) => m.seq)).toEqual([3]);
			expect(store.appendServerMessage('c', delta('d')).seq).toBe(4);
			store.trim('c', 99);
			expect(store.replay('c', 0)).toEqual([]);
			expect(store.lastSeq('c')).toBe(4);
			store.trim('nobody', 5);
			store.close();
		});

		it('advances the seq past a number a client has seen, never backwards', () => {
			const store = make();
			store.advanceSeq('c', 10);
			expect(store.appendServerMessage('c', delta('a')).seq).toBe(11);
			store.advanceSeq('c', 3);
			expect(store.appendServerMessage('c', delta('b')).seq).toBe(12);
			store.close();
		});

		it('can be closed twice', () => {
			const store = make();
			store.close();
			expect(() => store.close()).not.toThrow();
		});
	});
}
