import { describe, expect, it } from 'vitest';
import { Outbox, type OutboxState } from '../../src/lib/chat/outbox.svelte';
import { Transcript, type TranscriptItem } from '../../src/lib/chat/transcript.svelte';

/** A transcript reading the delivery marks of a real (in-memory) outbox. */
function conversation() {
	const outbox = new Outbox({ clientId: 'transcript-test', storage: null });
	const transcript = new Transcript(outbox);
	/** Queues a user message in the outbox, brought to `state`, and shows it. */
	const user = (id: string, text: string, state: OutboxState, withImage = false) => {
		outbox.add({ type: 'chat', id, text });
		if (state !== 'pending') outbox.markSent(id);
		if (state === 'acked') outbox.markAcked(id);
		transcript.addUser(id, text, withImage);
	};
	return { outbox, transcript, user };
}

/** The transcript as short strings: `U:id:status`, `A:inReplyTo:status:text`, `N:tone:text`. */
function outline(items: readonly TranscriptItem[]): string[] {
	return items.map((item) => {
		if (item.kind === 'user') return `U:${item.id}:${item.status}`;
		if (item.kind === 'avatar') return `A:${item.inReplyTo}:${item.status}:${item.text}`;
		return `N:${item.tone}:${item.text}`;
	});
}

/** Stored server messages with consecutive `seq`s, as the server numbers them. */
function server(startSeq = 1) {
	let seq = startSeq;
	return {
		start: (replyId: string, inReplyTo: string, userText?: string) => ({
			type: 'reply.start' as const,
			seq: seq++,
			replyId,
			inReplyTo,
			...(userText === undefined ? {} : { userText })
		}),
		delta: (replyId: string, text: string) => ({
			type: 'reply.delta' as const,
			seq: seq++,
			replyId,
			text
		}),
		end: (replyId: string, text: string, mood?: 'happy' | 'concerned') => ({
			type: 'reply.end' as const,
			seq: seq++,
			replyId,
			text,
			...(mood ? { mood } : {})
		}),
		interrupted: (replyId: string) => ({
			type: 'reply.interrupted' as const,
			seq: seq++,
			replyId
		})
	};
}

describe('Transcript', () => {
	it('shows a user message once, its mark read from the outbox', () => {
		const { outbox, transcript, user } = conversation();
		user('u1', 'hello', 'pending', true);
		transcript.addUser('u1', 'hello');
		expect(transcript.items).toEqual([
			{ kind: 'user', id: 'u1', text: 'hello', status: 'pending', withImage: true }
		]);
		outbox.markSent('u1');
		expect(outline(transcript.items)).toEqual(['U:u1:sent']);
		outbox.markAcked('u1');
		expect(outline(transcript.items)).toEqual(['U:u1:delivered']);
	});

	it('keeps how a message left the outbox unanswered: dropped or refused', () => {
		const { outbox, transcript, user } = conversation();
		user('u1', 'one', 'pending');
		user('u2', 'two', 'sent');
		outbox.remove('u1');
		transcript.settleUser('u1', 'dropped');
		outbox.remove('u2');
		transcript.settleUser('u2', 'refused');
		expect(outline(transcript.items)).toEqual(['U:u1:dropped', 'U:u2:refused']);
	});

	it('marks an answer as ours when it answers a message in the outbox', () => {
		const { transcript, user } = conversation();
		const s = server();
		user('u1', 'hi', 'acked');
		transcript.apply(s.start('r1', 'u1'));
		transcript.apply(s.start('h1', 'someone-else', 'from history'));
		expect(transcript.reply('r1')?.ours).toBe(true);
		expect(transcript.reply('h1')?.ours).toBe(false);
	});

	it('streams an answer from its deltas under the message it answers', () => {
		const { transcript, user } = conversation();
		const s = server();
		user('u1', 'hi', 'sent');
		transcript.apply(s.start('r1', 'u1'));
		expect(transcript.streaming?.replyId).toBe('r1');
		transcript.apply(s.delta('r1', 'Hel'));
		transcript.apply(s.delta('r1', 'lo'));
		expect(outline(transcript.items)).toEqual(['U:u1:delivered', 'A:u1:streaming:Hello']);
		expect(transcript.lastSeq).toBe(3);
	});

	it('replaces the streamed text with the whole answer at reply.end and sets the mood', () => {
		const { transcript, user } = conversation();
		const s = server();
		user('u1', 'hi', 'sent');
		transcript.apply(s.start('r1', 'u1'));
		transcript.apply(s.delta('r1', 'Hel'));
		transcript.apply(s.end('r1', 'Hello there!', 'happy'));
		expect(outline(transcript.items)).toEqual(['U:u1:delivered', 'A:u1:done:Hello there!']);
		expect(transcript.items[1]).toMatchObject({ mood: 'happy' });
		expect(transcript.streaming).toBeUndefined();
	});

	it('leaves the mood unset when reply.end carries none', () => {
		const { transcript } = conversation();
		const s = server();
		transcript.apply(s.start('r1', 'u1'));
		transcript.apply(s.end('r1', 'Fine.'));
		expect(transcript.items[0]).toMatchObject({ status: 'done', mood: null });
	});

	it('marks an answer interrupted, keeps what was said, and ignores later deltas', () => {
		const { transcript, user } = conversation();
		const s = server();
		user('u1', 'tell me a story', 'sent');
		transcript.apply(s.start('r1', 'u1'));
		transcript.apply(s.delta('r1', 'Once upon'));
		transcript.apply(s.interrupted('r1'));
		expect(transcript.apply(s.delta('r1', ' a time'))).toBe(true);
		expect(outline(transcript.items)).toEqual(['U:u1:delivered', 'A:u1:interrupted:Once upon']);
		expect(transcript.streaming).toBeUndefined();
	});

	it('ignores a replayed message by its seq and apply returns false', () => {
		const { transcript, user } = conversation();
		const s = server();
		user('u1', 'hi', 'sent');
		const start = s.start('r1', 'u1');
		const delta = s.delta('r1', 'Hello');
		expect(transcript.apply(start)).toBe(true);
		expect(transcript.apply(delta)).toBe(true);
		expect(transcript.apply(start)).toBe(false);
		expect(transcript.apply(delta)).toBe(false);
		expect(outline(transcript.items)).toEqual(['U:u1:delivered', 'A:u1:streaming:Hello']);
		expect(transcript.lastSeq).toBe(2);
	});

	it('puts the answer right after the user message it answers, before later queued ones', () => {
		const { transcript, user } = conversation();
		const s = server();
		user('u1', 'first', 'sent');
		user('u2', 'second', 'sent');
		transcript.apply(s.start('a1', 'u1'));
		transcript.apply(s.end('a1', 'one'));
		expect(outline(transcript.items)).toEqual(['U:u1:delivered', 'A:u1:done:one', 'U:u2:sent']);
		transcript.apply(s.start('a2', 'u2'));
		transcript.apply(s.end('a2', 'two'));
		expect(outline(transcript.items)).toEqual([
			'U:u1:delivered',
			'A:u1:done:one',
			'U:u2:delivered',
			'A:u2:done:two'
		]);
	});

	it('rebuilds history from a replay before the messages still waiting for an answer', () => {
		const { transcript, user } = conversation();
		const s = server();
		user('mine', 'still waiting', 'pending');
		transcript.apply(s.start('h1', 'old-1', 'what is up?'));
		transcript.apply(s.end('h1', 'Not much.'));
		transcript.apply(s.start('h2', 'old-2', 'and now?'));
		transcript.apply(s.end('h2', 'Still not much.'));
		expect(outline(transcript.items)).toEqual([
			'U:old-1:delivered',
			'A:old-1:done:Not much.',
			'U:old-2:delivered',
			'A:old-2:done:Still not much.',
			'U:mine:pending'
		]);
		expect(transcript.items[0]).toMatchObject({ text: 'what is up?', withImage: false });
	});

	it('shows only the answer from history when the replay has no user text', () => {
		const { transcript } = conversation();
		const s = server();
		transcript.apply(s.start('h1', 'gone', undefined));
		transcript.apply(s.end('h1', 'Hello again.'));
		expect(outline(transcript.items)).toEqual(['A:gone:done:Hello again.']);
	});

	it('does not add an answer twice when its reply.start arrives again with a new seq', () => {
		const { transcript, user } = conversation();
		user('u1', 'hi', 'sent');
		transcript.apply({ type: 'reply.start', seq: 1, replyId: 'r1', inReplyTo: 'u1' });
		transcript.apply({ type: 'reply.start', seq: 2, replyId: 'r1', inReplyTo: 'u1' });
		expect(outline(transcript.items)).toEqual(['U:u1:delivered', 'A:u1:streaming:']);
	});

	it('adds notices in order, each with its own id and tone', () => {
		const { transcript } = conversation();
		transcript.notice('Reconnected.');
		transcript.notice('Not sent.', 'warning');
		expect(outline(transcript.items)).toEqual(['N:info:Reconnected.', 'N:warning:Not sent.']);
		const noticeIds = transcript.items.map((item) => (item.kind === 'notice' ? item.id : ''));
		expect(new Set(noticeIds).size).toBe(2);
	});
});
