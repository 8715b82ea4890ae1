import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
	ChatClient,
	RETRY_AFTER_SERVER_ERROR_MS,
	type LiveReplyEvent
} from '../../src/lib/chat/chat-client';
import type { TranscriptItem } from '../../src/lib/chat/transcript.svelte';
import { PageConnection } from '../../src/lib/connection/page-connection.svelte';
import { connectedGreeting, FakeSocketRegistry, type FakeSocket } from '../support/fake-socket';
import { FakeWindow } from '../support/fake-window';
import { MemoryStorage } from '../support/memory-storage';

const CLIENT_ID = 'chat-client';
const connected = connectedGreeting(CLIENT_ID, 'token-1');
/** The `resume` the page sends: its last seq, in the epoch it holds, with its token. */
const resume = (lastSeq: number) => ({
	type: 'resume',
	lastSeq,
	epoch: connected.epoch,
	token: connected.token
});
const still = { mime: 'image/jpeg' as const, width: 4, height: 3, data: 'AAAA' };

/** A page: its connection on fake sockets, its chat client, and what it heard. */
function makePage(storage: Storage = new MemoryStorage(), onIdLost?: () => void) {
	const sockets = new FakeSocketRegistry();
	const connection = new PageConnection({
		url: `ws://localhost:8000/ws/${CLIENT_ID}`,
		config: { jitter: 0 },
		createSocket: sockets.create,
		window: new FakeWindow()
	});
	const live: LiveReplyEvent[] = [];
	const client = new ChatClient({
		connection,
		clientId: CLIENT_ID,
		storage,
		onLiveReply: (event) => live.push(event),
		onIdLost
	});
	client.start();
	connection.start();
	pages.push({ client, connection });
	return {
		sockets,
		connection,
		client,
		live,
		storage,
		get socket(): FakeSocket {
			return sockets.latest;
		},
		/** The socket opens and the server confirms: the client resumes and sends its outbox. */
		open() {
			sockets.latest.serverOpen();
			sockets.latest.serverMessage(connected);
		},
		/** The socket drops abnormally and the machine reconnects after its 1 s delay. */
		dropAndReconnect() {
			sockets.latest.serverClose(1006);
			expect(connection.state).toBe('backingOff');
			vi.advanceTimersByTime(1000);
			expect(connection.state).toBe('connecting');
		},
		/** What the client sent on the current socket, parsed. */
		sent(): Array<Record<string, unknown>> {
			return sockets.latest.sentJson() as Array<Record<string, unknown>>;
		},
		/** The chat messages among them. */
		sentChats(): Array<Record<string, unknown>> {
			return this.sent().filter((frame) => frame.type === 'chat');
		},
		/** Ids of the user's messages in the transcript, in order. */
		userIds(): string[] {
			return client.transcript.items.flatMap((item) => (item.kind === 'user' ? [item.id] : []));
		},
		/** The transcript as short strings: `U:text:status`, `A:text:status`, `N:tone`. */
		outline(): string[] {
			return client.transcript.items.map(describeItem);
		}
	};
}

function describeItem(item: TranscriptItem): string {
	if (item.kind === 'user') return `U:${item.text}:${item.status}`;
	if (item.kind === 'avatar') return `A:${item.text}:${item.status}`;
	return `N:${item.tone}`;
}

/** The texts of the chat messages among the frames sent, in order. */
const chats = (frames: Array<Record<string, unknown>>) =>
	frames.filter((frame) => frame.type === 'chat').map((frame) => frame.text);

const pages: Array<{ client: ChatClient; connection: PageConnection }> = [];

beforeEach(() => {
	vi.useFakeTimers();
});

afterEach(() => {
	for (const { client, connection } of pages.splice(0)) {
		client.stop();
		if (connection.actor.getSnapshot().status === 'active') connection.stop();
	}
	vi.useRealTimers();
	vi.restoreAllMocks();
});

describe('ChatClient: sending', () => {
	it('sends resume with lastSeq first after connected, then the outbox in order', () => {
		const page = makePage();
		page.client.send('one');
		page.client.send('two');
		page.socket.serverOpen();
		expect(page.sent()).toEqual([]);
		page.socket.serverMessage(connected);
		const [u1, u2] = page.userIds();
		expect(page.sent()).toEqual([
			resume(0),
			{ type: 'chat', id: u1, text: 'one' },
			{ type: 'chat', id: u2, text: 'two' }
		]);
		expect(page.outline()).toEqual(['U:one:sent', 'U:two:sent']);
	});

	it('shows a message typed while not connected as pending, and sends it when the connection opens', () => {
		const page = makePage();
		expect(page.client.send('  hello  ')).toBeNull();
		expect(page.outline()).toEqual(['U:hello:pending']);
		page.open();
		expect(chats(page.sent())).toEqual(['hello']);
		expect(page.outline()).toEqual(['U:hello:sent']);
	});

	it('sends a message typed while connected at once', () => {
		const page = makePage();
		page.open();
		page.client.send('now');
		expect(page.sent().map((frame) => frame.type)).toEqual(['resume', 'chat']);
		expect(page.outline()).toEqual(['U:now:sent']);
	});

	it('marks a message delivered when the server acks it', () => {
		const page = makePage();
		page.open();
		page.client.send('hi');
		const [id] = page.userIds();
		page.socket.serverMessage({ type: 'ack', id });
		expect(page.outline()).toEqual(['U:hi:delivered']);
	});

	it('sends a still before the chat it goes with, and marks the bubble as having an image', () => {
		const page = makePage();
		page.open();
		page.client.send('look', still);
		expect(page.sent().map((frame) => frame.type)).toEqual(['resume', 'frame', 'chat']);
		expect(page.client.transcript.items[0]).toMatchObject({ kind: 'user', withImage: true });
	});

	it('refuses a 4,001-character message with a clear error and sends nothing', () => {
		const page = makePage();
		page.open();
		const error = page.client.send('x'.repeat(4001));
		expect(error).toMatch(/4001 characters/);
		expect(error).toMatch(/limit is 4000/);
		expect(page.sent()).toEqual([resume(0)]);
		expect(page.client.transcript.items).toEqual([]);
		expect(page.client.send('x'.repeat(4000))).toBeNull();
		expect(chats(page.sent())).toEqual(['x'.repeat(4000)]);
	});

	it('refuses an empty or blank message and sends nothing', () => {
		const page = makePage();
		page.open();
		expect(page.client.send('')).toMatch(/type a message/i);
		expect(page.client.send(' \n\t ')).toMatch(/type a message/i);
		expect(page.sent()).toEqual([resume(0)]);
		expect(page.client.transcript.items).toEqual([]);
	});

	it('sends interrupt only on a resumed connection', () => {
		const page = makePage();
		page.client.interrupt('r1');
		page.open();
		page.client.interrupt('r1');
		page.client.interrupt();
		expect(page.sent().slice(1)).toEqual([
			{ type: 'interrupt', replyId: 'r1' },
			{ type: 'interrupt' }
		]);
	});
});

describe('ChatClient: reconnecting', () => {
	it('makes sent messages pending again when the socket drops, and resends them in order after resume', () => {
		const page = makePage();
		page.open();
		page.client.send('a');
		page.client.send('b');
		page.client.send('c');
		const [a, b, c] = page.userIds();
		page.socket.serverMessage({ type: 'ack', id: a });
		page.socket.serverMessage({ type: 'reply.start', seq: 1, replyId: 'ra', inReplyTo: a });
		page.socket.serverMessage({ type: 'reply.delta', seq: 2, replyId: 'ra', text: 'Hi' });

		page.dropAndReconnect();
		expect(page.outline()).toEqual([
			'U:a:delivered',
			'A:Hi:streaming',
			'U:b:pending',
			'U:c:pending'
		]);
		page.open();
		expect(page.sent()).toEqual([
			resume(2),
			{ type: 'chat', id: b, text: 'b' },
			{ type: 'chat', id: c, text: 'c' }
		]);
		expect(page.outline()).toEqual(['U:a:delivered', 'A:Hi:streaming', 'U:b:sent', 'U:c:sent']);
	});

	it('does not resend a message that was acked before the drop', () => {
		const page = makePage();
		page.open();
		page.client.send('kept');
		page.client.send('acked');
		const [kept, acked] = page.userIds();
		page.socket.serverMessage({ type: 'ack', id: acked });
		page.dropAndReconnect();
		page.open();
		expect(page.sentChats()).toEqual([{ type: 'chat', id: kept, text: 'kept' }]);
	});

	it('does not apply replayed messages twice nor announce their answer again', () => {
		const page = makePage();
		page.open();
		page.client.send('hi');
		const [id] = page.userIds();
		const start = { type: 'reply.start', seq: 1, replyId: 'r1', inReplyTo: id };
		const delta = { type: 'reply.delta', seq: 2, replyId: 'r1', text: 'Hel' };
		page.socket.serverMessage({ type: 'ack', id });
		page.socket.serverMessage(start);
		page.socket.serverMessage(delta);
		page.dropAndReconnect();
		page.open();
		expect(page.sent()[0]).toEqual(resume(2));
		page.socket.serverMessage(start);
		page.socket.serverMessage(delta);
		page.socket.serverMessage({ type: 'reply.delta', seq: 3, replyId: 'r1', text: 'lo' });
		page.socket.serverMessage({ type: 'reply.end', seq: 4, replyId: 'r1', text: 'Hello' });
		expect(page.outline()).toEqual(['U:hi:delivered', 'A:Hello:done']);
		expect(page.live).toEqual([
			{ type: 'start', replyId: 'r1' },
			{ type: 'delta', replyId: 'r1', text: 'Hel' },
			{ type: 'delta', replyId: 'r1', text: 'lo' },
			{ type: 'end', replyId: 'r1', mood: null }
		]);
	});

	it('restores unsent messages after a reload while offline and sends them once connected', () => {
		const storage = new MemoryStorage();
		const first = makePage(storage);
		first.client.send('written offline');
		first.client.send('also offline');
		first.client.stop();
		first.connection.stop();

		const reloaded = makePage(storage);
		expect(reloaded.outline()).toEqual(['U:written offline:pending', 'U:also offline:pending']);
		reloaded.open();
		expect(chats(reloaded.sent())).toEqual(['written offline', 'also offline']);
	});

	it('after a reload, answers to messages from the saved outbox are spoken', () => {
		const storage = new MemoryStorage();
		const first = makePage(storage);
		first.open();
		first.client.send('before reload');
		const [id] = first.userIds();
		first.socket.serverMessage({ type: 'ack', id });
		first.client.stop();
		first.connection.stop();

		const reloaded = makePage(storage);
		expect(reloaded.outline()).toEqual(['U:before reload:delivered']);
		reloaded.open();
		expect(reloaded.sent()).toEqual([resume(0)]);
		reloaded.socket.serverMessage({
			type: 'reply.start',
			seq: 1,
			replyId: 'r1',
			inReplyTo: id,
			userText: 'before reload'
		});
		expect(reloaded.live).toEqual([{ type: 'start', replyId: 'r1' }]);
		expect(reloaded.outline()).toEqual(['U:before reload:delivered', 'A::streaming']);
	});
});

describe('ChatClient: answers', () => {
	it('acknowledges with ack{seq} as soon as an answer ends', () => {
		const page = makePage();
		page.open();
		page.client.send('hi');
		const [id] = page.userIds();
		page.socket.serverMessage({ type: 'reply.start', seq: 1, replyId: 'r1', inReplyTo: id });
		page.socket.serverMessage({ type: 'reply.delta', seq: 2, replyId: 'r1', text: 'Hey' });
		page.socket.serverMessage({ type: 'reply.end', seq: 3, replyId: 'r1', text: 'Hey!' });
		expect(page.sent().filter((frame) => frame.type === 'ack')).toEqual([{ type: 'ack', seq: 3 }]);
	});

	it('acknowledges the stored messages of an unfinished answer shortly after the last one', () => {
		const page = makePage();
		page.open();
		page.client.send('hi');
		const [id] = page.userIds();
		page.socket.serverMessage({ type: 'reply.start', seq: 1, replyId: 'r1', inReplyTo: id });
		page.socket.serverMessage({ type: 'reply.delta', seq: 2, replyId: 'r1', text: 'Hey' });
		expect(page.sent().filter((frame) => frame.type === 'ack')).toEqual([]);
		vi.advanceTimersByTime(1000);
		expect(page.sent().filter((frame) => frame.type === 'ack')).toEqual([{ type: 'ack', seq: 2 }]);
	});

	it('never sends an ack on a new socket before its resume', () => {
		const page = makePage();
		page.open();
		page.client.send('hi');
		const [id] = page.userIds();
		page.socket.serverMessage({ type: 'reply.start', seq: 1, replyId: 'r1', inReplyTo: id });
		page.socket.serverClose(1006);
		expect(page.connection.state).toBe('backingOff');
		page.connection.retry();
		page.socket.serverOpen();
		vi.advanceTimersByTime(1000);
		expect(page.sent()).toEqual([]);
		page.socket.serverMessage(connected);
		expect(page.sent()).toEqual([resume(1)]);
	});

	it('tells the page about answers to its own messages as they stream, with the mood', () => {
		const page = makePage();
		page.open();
		page.client.send('hi');
		const [id] = page.userIds();
		page.socket.serverMessage({ type: 'reply.start', seq: 1, replyId: 'r1', inReplyTo: id });
		page.socket.serverMessage({ type: 'reply.delta', seq: 2, replyId: 'r1', text: 'Hey' });
		page.socket.serverMessage({
			type: 'reply.end',
			seq: 3,
			replyId: 'r1',
			text: 'Hey!',
			mood: 'happy'
		});
		expect(page.live).toEqual([
			{ type: 'start', replyId: 'r1' },
			{ type: 'delta', replyId: 'r1', text: 'Hey' },
			{ type: 'end', replyId: 'r1', mood: 'happy' }
		]);
		expect(page.outline()).toEqual(['U:hi:delivered', 'A:Hey!:done']);
	});

	it('tells the page when an answer to its own message is interrupted', () => {
		const page = makePage();
		page.open();
		page.client.send('hi');
		const [id] = page.userIds();
		page.socket.serverMessage({ type: 'reply.start', seq: 1, replyId: 'r1', inReplyTo: id });
		page.socket.serverMessage({ type: 'reply.interrupted', seq: 2, replyId: 'r1' });
		expect(page.live).toEqual([
			{ type: 'start', replyId: 'r1' },
			{ type: 'interrupted', replyId: 'r1' }
		]);
	});

	it('shows history from the replay without announcing it to the page', () => {
		const page = makePage();
		page.client.send('mine');
		page.open();
		const [mine] = page.userIds();
		page.socket.serverMessage({
			type: 'reply.start',
			seq: 1,
			replyId: 'old',
			inReplyTo: 'other-tab-message',
			userText: 'from before'
		});
		page.socket.serverMessage({ type: 'reply.delta', seq: 2, replyId: 'old', text: 'Earlier' });
		page.socket.serverMessage({ type: 'reply.end', seq: 3, replyId: 'old', text: 'Earlier.' });
		expect(page.live).toEqual([]);
		expect(page.outline()).toEqual(['U:from before:delivered', 'A:Earlier.:done', 'U:mine:sent']);
		page.socket.serverMessage({ type: 'reply.start', seq: 4, replyId: 'new', inReplyTo: mine });
		expect(page.live).toEqual([{ type: 'start', replyId: 'new' }]);
	});

	it('forgets a message once its answer starts, so a reconnect does not send it again', () => {
		const page = makePage();
		page.open();
		page.client.send('hi');
		const [id] = page.userIds();
		page.socket.serverMessage({ type: 'reply.start', seq: 1, replyId: 'r1', inReplyTo: id });
		page.dropAndReconnect();
		page.open();
		expect(page.sent()).toEqual([resume(1)]);
	});
});

describe('ChatClient: errors and limits', () => {
	it('says once that unsent messages cannot be stored when the browser refuses to store them', () => {
		const storage = new MemoryStorage();
		storage.blocked = true;
		const page = makePage(storage);
		page.client.send('one');
		page.client.send('two');
		const notices = page.client.transcript.items.filter((item) => item.kind === 'notice');
		expect(notices).toHaveLength(1);
		expect(notices[0]).toMatchObject({ tone: 'warning' });
		expect(notices[0]?.kind === 'notice' && notices[0].text).toMatch(/only while this page/);
	});

	it('takes a message the server refused as bad_message out of the outbox and says so', () => {
		const page = makePage();
		page.open();
		page.client.send('refused');
		page.client.send('fine');
		const [refused, fine] = page.userIds();
		page.socket.serverMessage({
			type: 'error',
			code: 'bad_message',
			message: 'Invalid text',
			id: refused
		});
		const notice = page.client.transcript.items.find((item) => item.kind === 'notice');
		expect(notice).toMatchObject({ tone: 'error' });
		expect(notice?.kind === 'notice' && notice.text).toMatch(/refused.*Invalid text/);
		const bubble = page.client.transcript.items.find(
			(item) => item.kind === 'user' && item.id === refused
		);
		expect(bubble).toMatchObject({ status: 'refused' });
		page.dropAndReconnect();
		page.open();
		expect(page.sentChats()).toEqual([{ type: 'chat', id: fine, text: 'fine' }]);
	});

	it('sends a message again, with its id, a while after the server failed to store it', () => {
		const page = makePage();
		page.open();
		page.client.send('one');
		page.client.send('two');
		const [one, two] = page.userIds();
		for (const id of [one, two]) {
			page.socket.serverMessage({
				type: 'error',
				code: 'internal_error',
				message: 'The server could not store that message; it was not accepted',
				id
			});
		}
		expect(page.outline()).toEqual(['U:one:pending', 'U:two:pending', 'N:warning']);
		expect(page.sentChats()).toHaveLength(2);

		vi.advanceTimersByTime(RETRY_AFTER_SERVER_ERROR_MS - 1);
		expect(page.sentChats()).toHaveLength(2);
		vi.advanceTimersByTime(1);
		expect(page.sentChats().slice(2)).toEqual([
			{ type: 'chat', id: one, text: 'one' },
			{ type: 'chat', id: two, text: 'two' }
		]);
		expect(page.outline().slice(0, 2)).toEqual(['U:one:sent', 'U:two:sent']);
		page.socket.serverMessage({ type: 'ack', id: one });
		expect(page.outline()[0]).toBe('U:one:delivered');
	});

	it('shows an error without an outbox id as a notice and keeps the outbox', () => {
		const page = makePage();
		page.open();
		page.client.send('waiting');
		page.socket.serverMessage({ type: 'error', code: 'brain_failed', message: 'No answer' });
		expect(page.outline()).toEqual(['U:waiting:sent', 'N:warning']);
		page.dropAndReconnect();
		page.open();
		expect(chats(page.sent())).toEqual(['waiting']);
	});

	it('ignores a server message it cannot read, with a warning', () => {
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		const page = makePage();
		page.open();
		page.socket.serverMessage('{"type":"reply.start","seq":"one"}');
		expect(warn).toHaveBeenCalledTimes(1);
		expect(page.client.transcript.items).toEqual([]);
	});

	it('reports a message the full outbox had to drop, in the transcript', () => {
		const page = makePage();
		for (let i = 1; i <= 101; i++) page.client.send(`message ${i}`);
		expect(page.client.transcript.items[0]).toMatchObject({
			kind: 'user',
			text: 'message 1',
			status: 'dropped'
		});
		const notices = page.client.transcript.items.filter((item) => item.kind === 'notice');
		expect(notices).toHaveLength(1);
		expect(notices[0]).toMatchObject({ tone: 'warning' });
		page.open();
		const sent = chats(page.sent());
		expect(sent).toHaveLength(100);
		expect(sent[0]).toBe('message 2');
	});

	it('keeps the token of a claimed id beside it and proves the id with it on the next connection', () => {
		const storage = new MemoryStorage();
		const page = makePage(storage);
		page.open();
		expect(storage.getItem(`talkline.token.${CLIENT_ID}`)).toBe('token-1');
		page.dropAndReconnect();
		page.socket.serverOpen();
		page.socket.serverMessage({ ...connected, token: undefined, sessionId: 's2' });
		expect(page.sent()).toEqual([resume(0)]);
		page.client.stop();

		const reloaded = makePage(storage);
		reloaded.socket.serverOpen();
		reloaded.socket.serverMessage({ ...connected, token: undefined });
		expect(reloaded.sent()).toEqual([resume(0)]);
	});

	it('restarts its seq bookkeeping on a new epoch, so the new log’s replies show', () => {
		const page = makePage();
		page.open();
		page.client.send('hello');
		const [id] = page.userIds();
		page.socket.serverMessage({ type: 'reply.start', seq: 1, replyId: 'r1', inReplyTo: id });
		page.socket.serverMessage({ type: 'reply.end', seq: 2, replyId: 'r1', text: 'Hi!' });
		page.dropAndReconnect();
		page.socket.serverOpen();
		// The server lost its data: the id is claimed anew, in a new epoch, from seq 1.
		page.socket.serverMessage({ ...connected, epoch: 'epoch-2', token: 'token-2' });
		expect(page.sent()[0]).toEqual({
			type: 'resume',
			lastSeq: 0,
			epoch: 'epoch-2',
			token: 'token-2'
		});
		page.client.send('again');
		const again = page.userIds()[1];
		page.socket.serverMessage({ type: 'reply.start', seq: 1, replyId: 'r2', inReplyTo: again });
		page.socket.serverMessage({ type: 'reply.end', seq: 2, replyId: 'r2', text: 'Hello again' });
		expect(page.outline()).toEqual([
			'U:hello:delivered',
			'A:Hi!:done',
			'U:again:delivered',
			'A:Hello again:done'
		]);
		expect(page.client.transcript.lastSeq).toBe(2);
	});

	it('holding no token for a known id, sends nothing, says why, and keeps its outbox', () => {
		const storage = new MemoryStorage();
		const page = makePage(storage);
		page.client.send('is anyone there?');
		page.socket.serverOpen();
		page.socket.serverMessage({ ...connected, token: undefined });
		expect(page.sent()).toEqual([]);
		expect(page.outline()).toEqual(['U:is anyone there?:pending', 'N:error']);
		const notice = page.client.transcript.items.at(-1);
		expect(notice).toMatchObject({ text: expect.stringMatching(/belongs to another browser/) });
		const saved = JSON.parse(storage.getItem(`talkline.outbox.${CLIENT_ID}`) ?? '{}');
		expect(saved.entries).toHaveLength(1);
	});

	it('holding no token for a known id made here, tells the page once that its id is lost, and says nothing', () => {
		let lost = 0;
		const page = makePage(new MemoryStorage(), () => (lost += 1));
		page.client.send('is anyone there?');
		page.socket.serverOpen();
		page.socket.serverMessage({ ...connected, token: undefined });
		expect(lost).toBe(1);
		expect(page.sent()).toEqual([]);
		expect(page.outline()).toEqual(['U:is anyone there?:pending']);
		page.socket.serverMessage({ ...connected, token: undefined });
		expect(lost).toBe(1);
	});

	it('sends a message refused as busy again after a pause, like one the server failed to store', () => {
		const page = makePage();
		page.open();
		page.client.send('one');
		const [one] = page.userIds();
		page.socket.serverMessage({ type: 'error', code: 'busy', message: 'Too many', id: one });
		expect(page.outline()).toEqual(['U:one:pending', 'N:warning']);
		vi.advanceTimersByTime(RETRY_AFTER_SERVER_ERROR_MS);
		expect(chats(page.sent())).toEqual(['one', 'one']);
	});
});
