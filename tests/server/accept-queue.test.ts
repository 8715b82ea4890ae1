import { describe, expect, it } from 'vitest';
import { AcceptQueue, type AcceptOutcome } from '../../src/lib/server/accept-queue';
import type { AcceptRequest } from '../../src/lib/server/store/message-store';
import { MemoryStore } from '../../src/lib/server/store/memory-store';
import { asyncStore } from '../../src/lib/server/store/sync-store';

const chat = (clientId: string, id: string): AcceptRequest => ({
	clientId,
	input: { kind: 'chat', id, text: `text of ${id}` }
});

/** A MemoryStore that records the size of each commit, and can be told to fail the next one. */
class RecordingStore extends MemoryStore {
	readonly commits: number[] = [];
	failNext = false;

	override acceptClientMessages(batch: readonly AcceptRequest[]): boolean[] {
		this.commits.push(batch.length);
		if (this.failNext) {
			this.failNext = false;
			throw new Error('disk I/O error');
		}
		return super.acceptClientMessages(batch);
	}
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('AcceptQueue', () => {
	it('stores what arrives in one turn in one commit, then settles each in arrival order', async () => {
		const store = new RecordingStore();
		const queue = new AcceptQueue(asyncStore(store), () => {});
		const settled: string[] = [];
		const settle = (label: string) => (outcome: AcceptOutcome) =>
			settled.push(`${label}:${outcome.ok && outcome.value}`);

		queue.add(chat('a', 'm1'), settle('a/m1'));
		queue.add(chat('b', 'm1'), settle('b/m1'));
		queue.add(chat('a', 'm1'), settle('a/m1 again'));
		expect(settled).toEqual([]); // nothing is acked before its commit
		expect(store.commits).toEqual([]);

		await nextTurn();
		expect(store.commits).toEqual([3]);
		expect(settled).toEqual(['a/m1:true', 'b/m1:true', 'a/m1 again:false']);
		expect(store.pendingChats('a').map((pending) => pending.id)).toEqual(['m1']);

		queue.add(chat('a', 'm2'), settle('a/m2'));
		await nextTurn();
		expect(store.commits).toEqual([3, 1]);
		await queue.flush(); // nothing left waiting: no empty commit
		expect(store.commits).toEqual([3, 1]);
	});

	it('flush() commits at once, and the turn it was scheduled for has nothing left to do', async () => {
		const store = new RecordingStore();
		const queue = new AcceptQueue(asyncStore(store), () => {});
		const outcomes: AcceptOutcome[] = [];
		queue.add(chat('a', 'm1'), (outcome) => outcomes.push(outcome));
		await queue.flush();
		expect(outcomes).toEqual([{ ok: true, value: true }]);
		await nextTurn();
		expect(store.commits).toEqual([1]);
	});

	it('a failed commit settles every message of it with the error and stores none', async () => {
		const store = new RecordingStore();
		const queue = new AcceptQueue(asyncStore(store), () => {});
		const outcomes: AcceptOutcome[] = [];
		store.failNext = true;
		queue.add(chat('a', 'm1'), (outcome) => outcomes.push(outcome));
		queue.add(chat('b', 'm2'), (outcome) => outcomes.push(outcome));
		await nextTurn();
		expect(outcomes).toHaveLength(2);
		for (const outcome of outcomes) {
			expect(outcome.ok).toBe(false);
			expect(!outcome.ok && String(outcome.error)).toContain('disk I/O error');
		}
		expect(store.pendingChats('a')).toEqual([]);

		// Sent again, it is new: nothing of the failed commit was kept.
		queue.add(chat('a', 'm1'), (outcome) => outcomes.push(outcome));
		await nextTurn();
		expect(outcomes.at(-1)).toEqual({ ok: true, value: true });
	});

	it('a settle callback that throws is reported, and the rest of its batch still settles', async () => {
		const faults: unknown[] = [];
		const queue = new AcceptQueue(asyncStore(new RecordingStore()), (error) => faults.push(error));
		const settled: string[] = [];
		queue.add(chat('a', 'm1'), () => {
			throw new Error('bug in a handler');
		});
		queue.add(chat('a', 'm2'), () => settled.push('m2'));
		await nextTurn();
		expect(settled).toEqual(['m2']);
		expect(faults).toEqual([new Error('bug in a handler')]);
	});
});
