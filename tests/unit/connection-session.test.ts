import { describe, expect, it } from 'vitest';
import { startConnection, TEST_URL } from '../support/connection-harness';

describe('connection machine: connecting and staying connected', () => {
	it('starts idle with no socket and nothing scheduled', () => {
		const h = startConnection();
		expect(h.state()).toBe('idle');
		expect(h.sockets.sockets).toHaveLength(0);
		expect(h.clock.pendingCount()).toBe(0);
	});

	it('rule 1: idle --CONNECT--> connecting, with the attempt counter at 0 and one socket', () => {
		const h = startConnection();
		h.actor.send({ type: 'CONNECT' });
		expect(h.state()).toBe('connecting');
		expect(h.context().attempt).toBe(0);
		expect(h.sockets.sockets).toHaveLength(1);
		expect(h.sockets.latest.url).toBe(TEST_URL);
	});

	it('rule 2: the socket opening moves connecting to open, and `connected` sets the client id', () => {
		const h = startConnection();
		h.actor.send({ type: 'CONNECT' });
		h.clock.advance(250);
		h.sockets.latest.serverOpen();
		expect(h.state()).toBe('open');
		expect(h.context().openedAt).toBe(250);
		expect(h.context().clientId).toBeNull();
		h.sockets.latest.serverMessage({ type: 'connected', clientId: 'abc-1', serverTime: 1 });
		expect(h.context().clientId).toBe('abc-1');
	});

	it('rule 3: every server message records its time and is emitted, parsed once, to the app', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.clock.advance(1234);
		h.sockets.latest.serverMessage('{"type":"chat","text":"hi"}');
		expect(h.context().lastMessageAt).toBe(1234);
		h.sockets.latest.serverMessage('not json');
		expect(h.messages).toEqual([
			{ type: 'connected', clientId: 'test-client' },
			{ type: 'chat', text: 'hi' },
			undefined
		]);
	});

	it('rule 3: a server ping is answered at once with a pong carrying the same ts', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.sockets.latest.serverMessage({ type: 'ping', ts: 987654 });
		expect(h.sockets.latest.sentJson()).toEqual([{ type: 'pong', ts: 987654 }]);
	});

	it('rule 3: a message in stale returns the machine to open', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.clock.advance(15000);
		expect(h.state()).toBe('stale');
		h.sockets.latest.serverMessage({ type: 'chat' });
		expect(h.state()).toBe('open');
		expect(h.context().lastMessageAt).toBe(15000);
	});

	it('rule 3: malformed frames never throw and still count as the server speaking', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.clock.advance(10000);
		for (const frame of ['{not json', '', 'null', '{"type":"ping","ts":"x"}', '[]']) {
			expect(() => h.sockets.latest.serverMessage(frame)).not.toThrow();
		}
		expect(h.state()).toBe('open');
		expect(h.context().lastMessageAt).toBe(10000);
		expect(h.sockets.latest.sent).toEqual([]);
		expect(h.messages).toHaveLength(6);
	});

	it('rule 4: open becomes stale at exactly staleAfter (15 s) of silence', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.clock.advance(14999);
		expect(h.state()).toBe('open');
		h.clock.advance(1);
		expect(h.state()).toBe('stale');
	});

	it('rule 4: each message restarts the 15 s of silence', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.clock.advance(7301);
		h.sockets.latest.serverMessage({ type: 'chat' });
		h.clock.advance(14999);
		expect(h.state()).toBe('open');
		h.clock.advance(1);
		expect(h.state()).toBe('stale');
		expect(h.clock.now()).toBe(7301 + 15000);
	});

	it('rule 4: entering stale sends exactly one {"type":"ping"} probe', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.clock.advance(59000);
		expect(h.state()).toBe('stale');
		expect(h.sockets.latest.sentJson()).toEqual([{ type: 'ping' }]);
	});

	it('rule 5: at exactly 60 s of silence the socket is closed with 4000 and the machine backs off', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.clock.advance(59999);
		expect(h.state()).toBe('stale');
		h.clock.advance(1);
		expect(h.state()).toBe('backingOff');
		expect(h.sockets.latest.closeCalls).toEqual([{ code: 4000, reason: 'keepalive timeout' }]);
		expect(h.context().lastClose).toEqual({ code: 4000, reason: 'keepalive timeout' });
		expect(h.sockets.liveCount()).toBe(0);
	});

	it('rule 5: the 60 s are measured from the last message, with nothing added', () => {
		const h = startConnection({ config: { staleAfter: 10000, pingTimeout: 25000 } });
		h.connectAndConfirm();
		h.clock.advance(3333);
		h.sockets.latest.serverMessage({ type: 'chat' });
		h.clock.advance(10000);
		expect(h.state()).toBe('stale');
		h.clock.advance(14999);
		expect(h.state()).toBe('stale');
		h.clock.advance(1);
		expect(h.state()).toBe('backingOff');
		expect(h.context().why).toMatchObject({ event: 'keepalive.timeout', code: 4000 });
		expect(h.context().why?.at).toBe(3333 + 25000);
	});

	it('rule 6: a socket that has not opened after connectTimeout (20 s) is abandoned and retried', () => {
		const h = startConnection();
		h.actor.send({ type: 'CONNECT' });
		h.clock.advance(19999);
		expect(h.state()).toBe('connecting');
		h.clock.advance(1);
		expect(h.state()).toBe('backingOff');
		expect(h.sockets.liveCount()).toBe(0);
		expect(h.sockets.latest.closeCalls).toHaveLength(1);
		expect(h.context().why).toMatchObject({
			event: 'after.connectTimeout',
			reason: 'connect timeout'
		});
	});

	it('rule 6: a connect timeout on the last attempt fails', () => {
		const h = startConnection({ config: { maxReconnectAttempts: 0 } });
		h.actor.send({ type: 'CONNECT' });
		h.clock.advance(20000);
		expect(h.state()).toBe('failed');
	});

	it('honours connectTimeout from the config', () => {
		const h = startConnection({ config: { connectTimeout: 500 } });
		h.actor.send({ type: 'CONNECT' });
		h.clock.advance(500);
		expect(h.state()).toBe('backingOff');
	});
});
