import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/lib/server/store/memory-store';
import { MAX_ACCEPTED_IDS_PER_CLIENT } from '../../src/lib/server/store/retention';
import { describeMessageStore } from './message-store-contract';
import { asyncStore } from '../../src/lib/server/store/sync-store';

describeMessageStore('MemoryStore', (retention) => asyncStore(new MemoryStore(retention)));

describe('MemoryStore bounds', () => {
	it('remembers at most MAX_ACCEPTED_IDS_PER_CLIENT ids, forgetting the oldest answered ones', () => {
		const store = new MemoryStore();
		store.acceptClientMessage('c', { kind: 'chat', id: 'unanswered', text: 'wait for me' });
		for (let i = 0; i <= MAX_ACCEPTED_IDS_PER_CLIENT; i++)
			store.acceptClientMessage('c', { kind: 'frame', id: `f${i}`, image: still });
		expect(store.acceptClientMessage('c', { kind: 'frame', id: 'f0', image: still })).toBe(true);
		expect(store.acceptClientMessage('c', { kind: 'chat', id: 'unanswered', text: 'x' })).toBe(
			false
		);
		expect(store.pendingChats('c')).toEqual([{ id: 'unanswered', text: 'wait for me' }]);
	});
});

const still = { mime: 'image/png', width: 1, height: 1, data: '' };
