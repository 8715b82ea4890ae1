import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ignoreSocketError } from '../../machines/socket';
import { badgeView } from '../../src/lib/connection/badge';
import { PageConnection } from '../../src/lib/connection/page-connection.svelte';
import { connectedGreeting, FakeSocketRegistry } from '../support/fake-socket';
import { FakeWindow } from '../support/fake-window';

const URL = 'ws://localhost:8000/ws/page-client';
const connected = connectedGreeting('page-client');

let sockets: FakeSocketRegistry;
let win: FakeWindow;
/** How far the wall clock runs ahead of the timers: a hidden tab whose timers were throttled. */
let skew: number;
let connection: PageConnection;

beforeEach(() => {
	vi.useFakeTimers();
	sockets = new FakeSocketRegistry();
	win = new FakeWindow();
	skew = 0;
	connection = new PageConnection({
		url: URL,
		config: { jitter: 0 },
		createSocket: sockets.create,
		now: () => Date.now() + skew,
		window: win
	});
});

afterEach(() => {
	if (connection.actor.getSnapshot().status === 'active') connection.stop();
	vi.useRealTimers();
});

/** The socket opens and the server confirms the client id. */
function openAndConfirm() {
	sockets.latest.serverOpen();
	sockets.latest.serverMessage(connected);
}

describe('PageConnection', () => {
	it('opens no socket until start() is called', () => {
		expect(connection.state).toBe('idle');
		expect(sockets.sockets).toHaveLength(0);
		expect(win.listenerCount()).toBe(0);
	});

	it('start() connects to the URL it was given and listens to the browser', () => {
		connection.start();
		expect(connection.state).toBe('connecting');
		expect(sockets.sockets.map((socket) => socket.url)).toEqual([URL]);
		expect(win.listenerCount()).toBe(3);
	});

	it('the snapshot follows transitions taken before the first subscriber', () => {
		connection.start();
		openAndConfirm();
		expect(connection.state).toBe('open');
		expect(connection.snapshot.context.clientId).toBe('page-client');
		sockets.latest.serverClose(1012, 'service restart');
		expect(connection.state).toBe('backingOff');
		expect(connection.snapshot.context.lastClose).toEqual({
			code: 1012,
			reason: 'service restart'
		});
	});

	it('forwards the browser going offline and online to the machine', () => {
		connection.start();
		openAndConfirm();
		win.goOffline();
		expect(connection.snapshot.context.online).toBe(false);
		win.goOnline();
		expect(connection.snapshot.context.online).toBe(true);
	});

	it('forwards the tab becoming visible, so a long silence is noticed at once', () => {
		connection.start();
		openAndConfirm();
		skew = 16000;
		win.setVisibility('hidden');
		expect(connection.state).toBe('open');
		win.setVisibility('visible');
		expect(connection.state).toBe('stale');
	});

	it('an online event in backingOff reconnects at once', () => {
		connection.start();
		openAndConfirm();
		sockets.latest.serverClose(1006);
		expect(connection.state).toBe('backingOff');
		win.goOnline();
		expect(connection.state).toBe('connecting');
		expect(sockets.sockets).toHaveLength(2);
	});

	it('send() goes out only while the socket is open or stale', () => {
		expect(connection.send('{"type":"ping"}')).toBe(false);
		connection.start();
		expect(connection.send('{"type":"ping"}')).toBe(false);
		openAndConfirm();
		expect(connection.canSend).toBe(true);
		expect(connection.send('{"n":1}')).toBe(true);
		skew = 16000;
		win.setVisibility('visible');
		expect(connection.state).toBe('stale');
		expect(connection.canSend).toBe(true);
		expect(connection.send('{"n":2}')).toBe(true);
		sockets.latest.serverClose(1006);
		expect(connection.canSend).toBe(false);
		expect(connection.send('{"n":3}')).toBe(false);
		expect(sockets.sockets[0]?.sent).toEqual(['{"n":1}', '{"type":"ping"}', '{"n":2}']);
	});

	it('passes every server text frame to onMessage handlers until they unsubscribe', () => {
		const received: unknown[] = [];
		const unsubscribe = connection.onMessage((message) => received.push(message));
		connection.start();
		openAndConfirm();
		sockets.latest.serverMessage('{"type":"ack","id":"x"}');
		unsubscribe();
		sockets.latest.serverMessage('{"type":"ack","id":"y"}');
		expect(received).toEqual([connected, { type: 'ack', id: 'x' }]);
	});

	it('stop() closes the socket with 1000, stops the actor and removes every listener', () => {
		connection.start();
		openAndConfirm();
		connection.stop();
		expect(sockets.latest.closeCalls).toEqual([{ code: 1000, reason: 'client disconnect' }]);
		expect(sockets.liveCount()).toBe(0);
		expect(sockets.listenerCount([ignoreSocketError])).toBe(0);
		expect(connection.actor.getSnapshot().status).toBe('stopped');
		expect(win.listenerCount()).toBe(0);
		vi.advanceTimersByTime(120_000);
		expect(sockets.sockets).toHaveLength(1);
	});

	it('stop() while backing off leaves no reconnect scheduled', () => {
		connection.start();
		openAndConfirm();
		sockets.latest.serverClose(1006);
		connection.stop();
		vi.advanceTimersByTime(120_000);
		expect(sockets.sockets).toHaveLength(1);
		expect(connection.actor.getSnapshot().status).toBe('stopped');
		expect(win.listenerCount()).toBe(0);
	});

	it('disconnect(), connect() and retry() drive the machine as the buttons do', () => {
		connection.start();
		openAndConfirm();
		connection.disconnect();
		expect(connection.state).toBe('idle');
		connection.connect();
		expect(connection.state).toBe('connecting');
		sockets.latest.serverClose(4400, 'invalid client id');
		expect(connection.state).toBe('failed');
		connection.retry();
		expect(connection.state).toBe('connecting');
		expect(sockets.sockets).toHaveLength(3);
	});
});

describe('PageConnection.badge: what the badge reads from the real machine', () => {
	it('shows the reason when the server ended the connection with 1000', () => {
		connection.start();
		openAndConfirm();
		sockets.latest.serverClose(1000, 'replaced');
		expect(badgeView(connection.badge, Date.now())).toMatchObject({
			label: 'Disconnected',
			detail: 'replaced (1000)'
		});
	});

	it('shows no reason when the user disconnected', () => {
		connection.start();
		openAndConfirm();
		connection.disconnect();
		expect(badgeView(connection.badge, Date.now())).toMatchObject({
			label: 'Disconnected',
			detail: null
		});
	});

	it('counts down to the next attempt while backing off', () => {
		connection.start();
		openAndConfirm();
		sockets.latest.serverClose(1006);
		expect(badgeView(connection.badge, Date.now())).toMatchObject({
			label: 'Reconnecting in 1s (attempt 1 of 10)',
			countdown: 1
		});
		vi.advanceTimersByTime(1000);
		expect(connection.state).toBe('connecting');
		expect(badgeView(connection.badge, Date.now()).label).toBe('Connecting… (attempt 1 of 10)');
	});

	it('gives up after attempt 10 and says so, with the last close', () => {
		connection.start();
		for (let attempt = 1; attempt <= 10; attempt++) {
			sockets.latest.serverClose(1006);
			expect(connection.state).toBe('backingOff');
			vi.advanceTimersByTime(connection.snapshot.context.nextDelay ?? 0);
			expect(badgeView(connection.badge, Date.now()).label).toBe(
				`Connecting… (attempt ${attempt} of 10)`
			);
		}
		sockets.latest.serverClose(1006);
		expect(connection.state).toBe('failed');
		expect(badgeView(connection.badge, Date.now())).toMatchObject({
			label: 'Failed',
			tone: 'red',
			detail: 'Gave up after 10 attempts: connection lost (1006)'
		});
	});

	it('after a connect timeout, names the timeout rather than an older close', () => {
		connection.start();
		openAndConfirm();
		sockets.latest.serverClose(1012, 'service restart');
		vi.advanceTimersByTime(connection.snapshot.context.nextDelay ?? 0);
		expect(connection.state).toBe('connecting');
		vi.advanceTimersByTime(20_000);
		expect(connection.state).toBe('backingOff');
		expect(badgeView(connection.badge, Date.now()).detail).toBe(
			'The server did not answer in time; it may be starting up'
		);
	});

	it('says why it failed on a permanent close', () => {
		connection.start();
		sockets.latest.serverOpen();
		sockets.latest.serverClose(4400, 'invalid client id');
		expect(badgeView(connection.badge, Date.now())).toMatchObject({
			label: 'Failed',
			tone: 'red',
			detail: 'invalid client id (4400)'
		});
	});
});
