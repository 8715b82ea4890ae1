/**
 * The console's story of the connection (issue 15): the lines derived from the machine's steps,
 * fed by the real machine's inspection stream with a fake socket, and when it is switched on.
 */
import { createActor } from 'xstate';
import { describe, expect, it, vi } from 'vitest';
import { connectionMachine } from '../../machines/connection';
import { debugMatches, narrationEnabled } from '../../src/lib/narration/debug-enabled';
import { Narrator } from '../../src/lib/narration/narrator';
import { FakeSocketRegistry } from '../support/fake-socket';
import { MemoryStorage } from '../support/memory-storage';

function narratedActor(maxReconnectAttempts = 10) {
	const lines: string[] = [];
	const sockets = new FakeSocketRegistry();
	const narrator = new Narrator((line) => lines.push(line));
	const actor = createActor(connectionMachine, {
		input: {
			url: 'ws://localhost/ws/abc',
			createSocket: sockets.create,
			config: { jitter: 0, maxReconnectAttempts }
		},
		inspect: narrator.observer()
	});
	actor.start();
	return { lines, sockets, actor, narrator };
}

describe('narration', () => {
	it('tells connecting, open, the confirmation, pings, a close and the reconnect in order', () => {
		vi.useFakeTimers();
		try {
			const { lines, sockets, actor } = narratedActor();
			actor.send({ type: 'CONNECT' });
			sockets.latest.serverOpen();
			sockets.latest.serverMessage({ type: 'connected', clientId: 'abc' });
			sockets.latest.serverMessage({ type: 'ping', ts: 1 });
			sockets.latest.serverClose(1006);
			vi.advanceTimersByTime(1000);
			sockets.latest.serverClose(1012, 'service restart');
			expect(lines).toEqual([
				'Connecting to WebSocket: ws://localhost/ws/abc',
				'WebSocket connected successfully',
				'Server confirmed connection. Client ID: abc',
				'Received keepalive ping',
				'Connection closed (1006): reconnecting in 1.0 s, attempt 1 of 10',
				'Connecting to WebSocket: ws://localhost/ws/abc (attempt 1 of 10)',
				'Connection closed (1012 service restart): reconnecting in 2.0 s, attempt 2 of 10'
			]);
			actor.stop();
		} finally {
			vi.useRealTimers();
		}
	});

	it('tells when it gives up, when the server ends it, and a Disconnect', () => {
		vi.useFakeTimers();
		try {
			const { lines, sockets, actor } = narratedActor(2);
			actor.send({ type: 'CONNECT' });
			sockets.latest.serverClose(1006);
			vi.advanceTimersByTime(1000);
			sockets.latest.serverClose(1006);
			vi.advanceTimersByTime(2000);
			sockets.latest.serverClose(1006);
			expect(lines.at(-1)).toBe('Gave up after 2 attempts: last close (1006)');
			actor.send({ type: 'CONNECT' });
			sockets.latest.serverOpen();
			sockets.latest.serverClose(1000, 'replaced');
			expect(lines.at(-1)).toBe('Connection closed (1000 replaced): not reconnecting');
			actor.send({ type: 'CONNECT' });
			actor.send({ type: 'DISCONNECT' });
			expect(lines.at(-1)).toBe('Disconnected (asked for)');
			actor.stop();
		} finally {
			vi.useRealTimers();
		}
	});

	it("tells the tabs' steps", () => {
		const lines: string[] = [];
		const narrator = new Narrator((line) => lines.push(line));
		narrator.tab('leader');
		narrator.tab('follower');
		expect(lines).toEqual([
			'This tab now holds the connection',
			'Another tab holds the connection; this tab shows it and sends through it'
		]);
	});

	it('is on in dev, with ?debug, or when localStorage.debug names talkline', () => {
		const url = new URL('http://localhost/');
		const storage = new MemoryStorage();
		expect(narrationEnabled({ dev: false, pageUrl: url, storage })).toBe(false);
		expect(narrationEnabled({ dev: true, pageUrl: url, storage })).toBe(true);
		expect(
			narrationEnabled({ dev: false, pageUrl: new URL('http://localhost/?debug'), storage })
		).toBe(true);
		storage.setItem('debug', 'talkline');
		expect(narrationEnabled({ dev: false, pageUrl: url, storage })).toBe(true);
		expect(narrationEnabled({ dev: false, pageUrl: url, storage: null })).toBe(false);
		expect(debugMatches('*', 'talkline')).toBe(true);
		expect(debugMatches('express:*, talk*', 'talkline')).toBe(true);
		expect(debugMatches('*,-talkline', 'talkline')).toBe(false);
		expect(debugMatches('other', 'talkline')).toBe(false);
	});
});
