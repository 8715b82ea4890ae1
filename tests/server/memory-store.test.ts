import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/lib/server/store/memory-store';
import { describeMessageStore } from './message-store-contract';

describeMessageStore('MemoryStore', () => new MemoryStore());

describe('MemoryStore bounds', () => {
	it('keeps at most maxMessagesPerClient messages, dropping the oldest', () => {
		const store = new MemoryStore({ maxMessagesPerClient: 3 });
		for (let i = 0; i < 5; i++)
			store.appendServerMessage('c', { type: 'reply.delta', replyId: 'r', text: String(i) });
		expect(store.replay('c', 0).map((m) => m.seq)).toEqual([3, 4, 5]);
	});

	it('remembers at most maxAcceptedIdsPerClient ids, forgetting the oldest', () => {
		const store = new MemoryStore({ maxAcceptedIdsPerClient: 2 });
		for (const id of ['a', 'b', 'c']) store.acceptClientMessage('c', id);
		expect(store.acceptClientMessage('c', 'c')).toBe(false);
		expect(store.acceptClientMessage('c', 'a')).toBe(true);
	});
});
