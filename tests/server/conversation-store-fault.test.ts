/**
 * A reply whose end the store refuses (Redis away for a moment) must not stay open: the page's
 * answer would never end, and every other instance would answer this client `busy`. The
 * conversation offers the end again until the store takes it, and starts no new reply before.
 */
import { describe, expect, it, vi } from 'vitest';
import type { SequencedMessage } from '../../src/lib/protocol/server-messages';
import type { Brain, ConnectionFacts } from '../../src/lib/server/brain/types';
import { Conversation } from '../../src/lib/server/conversation';
import { MemoryStore } from '../../src/lib/server/store/memory-store';
import type { MessageStore } from '../../src/lib/server/store/message-store';
import { asyncStore } from '../../src/lib/server/store/sync-store';

const CLIENT = 'store-fault';

/** Answers every chat with one piece of text. */
const echo: Brain = {
	name: 'echo',
	async *reply(request) {
		yield { type: 'text', text: `You said ${request.input.text}` };
	}
};

const facts = (): ConnectionFacts => ({
	clientId: CLIENT,
	state: 'open',
	serverStartedAt: 0,
	pingsSent: 0,
	pongsReceived: 0,
	connectionsOpened: 1
});

describe('a reply end the store refused', () => {
	it('is stored once the store takes it again, before the next reply starts', async () => {
		const memory = new MemoryStore();
		const working = asyncStore(memory);
		let refusals = 2;
		const store: MessageStore = {
			...working,
			appendServerMessage: (clientId, message) => {
				if (message.type === 'reply.end' && refusals > 0) {
					refusals -= 1;
					return Promise.reject(new Error('the store is away'));
				}
				return working.appendServerMessage(clientId, message);
			}
		};
		const delivered: SequencedMessage[] = [];
		const faults: unknown[] = [];
		const conversation = new Conversation({
			clientId: CLIENT,
			store,
			brain: echo,
			deliver: (message) => delivered.push(message),
			sendError: () => {},
			facts,
			onFault: (error) => faults.push(error),
			onIdle: () => {}
		});

		await conversation.chat({ kind: 'chat', id: 'first', text: 'one' });
		await vi.waitFor(() => expect(faults).toHaveLength(1));
		await conversation.chat({ kind: 'chat', id: 'second', text: 'two' });
		// The first reply is still open: nothing of the second may start before its end.
		expect(conversation.busy).toBe(true);
		await vi.waitFor(() => expect(delivered.at(-1)?.type).toBe('reply.end'), { timeout: 10_000 });
		await vi.waitFor(
			() => expect(delivered.filter((m) => m.type === 'reply.end')).toHaveLength(2),
			{ timeout: 10_000 }
		);

		expect(faults).toHaveLength(2); // two refusals, each logged
		const log = await working.replay(CLIENT, 0);
		expect(log.map((m) => m.type)).toEqual([
			'reply.start',
			'reply.delta',
			'reply.end',
			'reply.start',
			'reply.delta',
			'reply.end'
		]);
		expect(log.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
		expect(delivered).toEqual(log);
		expect(await working.pendingChats(CLIENT)).toEqual([]);
		await vi.waitFor(() => expect(conversation.busy).toBe(false));
	});
});
