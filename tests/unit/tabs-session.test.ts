/**
 * Tabs sharing one connection (issue 15), with the browser's locks and channels faked at the
 * edge (`FakeBrowser`) and fake sockets: one tab leads and runs the only socket, the others
 * mirror its machine and send through it, and a crashed leader is replaced by a follower that
 * resumes from what it has seen and sends what it holds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/lib/inspector/event-log';
import { lockName } from '../../src/lib/tabs/leader-election';
import { TabSession } from '../../src/lib/tabs/tab-session.svelte';
import type { TranscriptItem } from '../../src/lib/chat/transcript.svelte';
import { connectedGreeting, FakeSocketRegistry } from '../support/fake-socket';
import { FakeBrowser, settle } from '../support/fake-tabs';
import { FakeWindow } from '../support/fake-window';
import { MemoryStorage } from '../support/memory-storage';

const CLIENT_ID = 'tabs-test';
const connected = (token?: string) => connectedGreeting(CLIENT_ID, token);

const sessions: TabSession[] = [];
afterEach(() => {
	for (const session of sessions.splice(0)) session.stop();
});

function setup() {
	const browser = new FakeBrowser();
	const sockets = new FakeSocketRegistry();
	const storage = new MemoryStorage();
	const logs = new Map<string, EventLog>();
	const tab = (name: string, shared = true) => {
		const log = new EventLog();
		logs.set(name, log);
		const session = new TabSession({
			log,
			inspect: log.observer(),
			clientId: CLIENT_ID,
			socketUrl: `ws://localhost/ws/${CLIENT_ID}`,
			storage,
			locks: shared ? browser.locks(name) : null,
			openChannel: browser.channel(name),
			tabId: name,
			connection: { config: { jitter: 0 }, createSocket: sockets.create, window: new FakeWindow() }
		});
		sessions.push(session);
		session.start();
		return session;
	};
	return { browser, sockets, storage, tab, logs };
}

const outline = (items: readonly TranscriptItem[]) =>
	items.map((item) =>
		item.kind === 'user'
			? `U:${item.text}:${item.status}`
			: item.kind === 'avatar'
				? `A:${item.text}:${item.status}`
				: `N:${item.text}`
	);

/** A stored answer as the server sends it (the chat's text comes along, for a replay). */
const reply = (seq: number, id: string, inReplyTo: string, text: string, userText?: string) => [
	{ type: 'reply.start', seq, replyId: id, inReplyTo, ...(userText ? { userText } : {}) },
	{ type: 'reply.end', seq: seq + 1, replyId: id, text }
];

describe('tabs sharing a connection', () => {
	it('the first tab leads and runs the only socket; the others mirror its machine', async () => {
		const { browser, sockets, tab } = setup();
		const first = tab('a');
		const second = tab('b');
		const third = tab('c');
		await settle();
		expect([first.role, second.role, third.role]).toEqual(['leader', 'follower', 'follower']);
		expect(browser.holder(lockName(CLIENT_ID))).toBe('a');
		expect(sockets.sockets).toHaveLength(1);
		sockets.latest.serverOpen();
		sockets.latest.serverMessage(connected('token-1'));
		await settle();
		for (const session of [first, second, third]) {
			expect(session.connection?.state).toBe('open');
			expect(session.connection?.clientId).toBe(CLIENT_ID);
			expect(session.connection?.controls).toEqual({
				connect: false,
				disconnect: true,
				retry: false
			});
		}
		expect(sockets.sockets).toHaveLength(1);
	});

	it("the inspector's event log of the leader shows in the followers", async () => {
		const { sockets, tab, logs } = setup();
		tab('a');
		tab('b');
		await settle();
		sockets.latest.serverOpen();
		await settle();
		const leaderLog = logs.get('a')?.entries ?? [];
		expect(leaderLog.map((entry) => entry.to)).toEqual(['idle', 'connecting', 'open']);
		expect(logs.get('b')?.entries).toEqual(leaderLog);
	});

	it("a follower's Disconnect moves the leader's machine, and every tab shows it", async () => {
		const { sockets, tab } = setup();
		const leader = tab('a');
		const follower = tab('b');
		await settle();
		sockets.latest.serverOpen();
		await settle();
		follower.connection?.disconnect();
		await settle();
		expect(leader.connection?.state).toBe('idle');
		expect(follower.connection?.state).toBe('idle');
		expect(follower.connection?.controls.connect).toBe(true);
	});

	it("a follower's message goes out on the leader's socket and is answered once in both", async () => {
		const { sockets, tab } = setup();
		const leader = tab('a');
		const follower = tab('b');
		await settle();
		sockets.latest.serverOpen();
		sockets.latest.serverMessage(connected('token-1'));
		await settle();
		expect(follower.chat.send('hello from b')).toBeNull();
		expect(outline(follower.transcript.items)).toEqual(['U:hello from b:pending']);
		await settle();
		const chat = sockets.latest
			.sentJson()
			.find((frame) => (frame as { type: string }).type === 'chat') as {
			id: string;
		};
		expect(chat).toMatchObject({ type: 'chat', text: 'hello from b' });
		sockets.latest.serverMessage({ type: 'ack', id: chat.id });
		for (const message of reply(1, 'r1', chat.id, 'Hi!')) sockets.latest.serverMessage(message);
		await settle();
		for (const session of [leader, follower]) {
			expect(outline(session.transcript.items)).toEqual(['U:hello from b:delivered', 'A:Hi!:done']);
			expect(session.transcript.lastSeq).toBe(2);
		}
	});

	it('a tab opened later gets the conversation so far, once', async () => {
		const { sockets, tab } = setup();
		const leader = tab('a');
		await settle();
		sockets.latest.serverOpen();
		sockets.latest.serverMessage(connected('token-1'));
		leader.chat.send('first');
		await settle();
		const id = (sockets.latest.sentJson()[1] as { id: string }).id;
		for (const message of reply(1, 'r1', id, 'One', 'first')) sockets.latest.serverMessage(message);
		const late = tab('b');
		await settle();
		expect(outline(late.transcript.items)).toEqual(['U:first:delivered', 'A:One:done']);
		expect(late.transcript.lastSeq).toBe(2);
		expect(late.transcript.epoch).toBe('epoch-1');
	});

	it('a crashed leader is replaced: the next tab resumes from its last seq and sends what it held', async () => {
		const { browser, sockets, tab } = setup();
		tab('a');
		const b = tab('b');
		const c = tab('c');
		await settle();
		sockets.latest.serverOpen();
		sockets.latest.serverMessage(connected('token-1'));
		await settle();
		const oldSocket = sockets.latest;
		for (const message of reply(1, 'r0', 'x', 'Earlier')) oldSocket.serverMessage(message);
		await settle();
		// The leader dies; at that moment c types a message that no one takes.
		browser.kill('a');
		const lost = c.chat.send('typed as a died');
		expect(lost).toBeNull();
		await settle();
		expect(b.role).toBe('leader');
		expect(browser.holder(lockName(CLIENT_ID))).toBe('b');
		expect(sockets.sockets).toHaveLength(2);
		sockets.latest.serverOpen();
		sockets.latest.serverMessage(connected());
		await settle();
		const sent = sockets.latest.sentJson() as Array<Record<string, unknown>>;
		expect(sent[0]).toEqual({ type: 'resume', lastSeq: 2, epoch: 'epoch-1', token: 'token-1' });
		const chats = sent.filter((frame) => frame.type === 'chat');
		expect(chats).toHaveLength(1);
		expect(chats[0]).toMatchObject({ text: 'typed as a died' });
		for (const message of reply(3, 'r1', chats[0]!.id as string, 'Got it')) {
			sockets.latest.serverMessage(message);
		}
		await settle();
		for (const session of [b, c]) {
			expect(outline(session.transcript.items)).toEqual([
				'A:Earlier:done',
				'U:typed as a died:delivered',
				'A:Got it:done'
			]);
		}
	});

	it('without Web Locks a tab leads at once, on its own socket', () => {
		const { sockets, tab } = setup();
		const first = tab('a', false);
		expect(first.role).toBe('leader');
		expect(first.connection?.state).toBe('connecting');
		const second = tab('b', false);
		expect(second.role).toBe('leader');
		expect(sockets.sockets).toHaveLength(2);
	});
});
