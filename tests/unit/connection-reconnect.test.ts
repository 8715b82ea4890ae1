import { describe, expect, it } from 'vitest';
import { startConnection, type Harness } from '../support/connection-harness';

/** Lets the scheduled reconnect happen: advance to retryAt. */
function waitForRetry(h: Harness) {
	const { retryAt } = h.context();
	if (retryAt === null) throw new Error('no reconnect scheduled');
	h.clock.advance(retryAt - h.clock.wall());
}

describe('connection machine: losing the connection and reconnecting', () => {
	it.each([
		[1000, 'idle'],
		[1008, 'failed'],
		[4403, 'failed'],
		[1002, 'failed'],
		[4499, 'failed'],
		[1006, 'backingOff'],
		[1011, 'backingOff'],
		[1012, 'backingOff'],
		[4000, 'backingOff'],
		[1001, 'backingOff'],
		[4500, 'backingOff']
	] as const)('rule 7: a server close with %i while open leads to %s', (code, expected) => {
		const h = startConnection();
		h.connectAndConfirm();
		h.sockets.latest.serverClose(code, 'reason ' + code);
		expect(h.state()).toBe(expected);
		expect(h.context().lastClose).toEqual({ code, reason: 'reason ' + code });
		expect(h.context().why).toMatchObject({
			event: 'socket.close',
			code,
			reason: 'reason ' + code
		});
		expect(h.sockets.liveCount()).toBe(0);
	});

	it('rule 7: "replaced" (1000) goes idle, keeps the reason and never reconnects', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.sockets.latest.serverClose(1000, 'replaced');
		h.clock.advance(10 * 60 * 1000);
		expect(h.state()).toBe('idle');
		expect(h.context().lastClose).toEqual({ code: 1000, reason: 'replaced' });
		expect(h.sockets.sockets).toHaveLength(1);
		expect(h.clock.pendingCount()).toBe(0);
	});

	it('rule 7: the close code decides in connecting and in stale too', () => {
		const connecting = startConnection();
		connecting.actor.send({ type: 'CONNECT' });
		connecting.sockets.latest.serverClose(1006);
		expect(connecting.state()).toBe('backingOff');

		const stale = startConnection();
		stale.connectAndConfirm();
		stale.clock.advance(15000);
		stale.sockets.latest.serverClose(4401, 'unauthorized');
		expect(stale.state()).toBe('failed');
	});

	it('rule 7: a socket error is a transient failure', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.sockets.latest.error();
		expect(h.state()).toBe('backingOff');
		expect(h.context().why).toMatchObject({ event: 'socket.error' });
	});

	it('rule 8: with jitter 0 the delays are exactly 1, 2, 4, 8, 16, 30, 30, 30, 30, 30 s', () => {
		const h = startConnection({ config: { jitter: 0 }, random: Math.random });
		h.connectAndConfirm();
		const delays: number[] = [];
		h.sockets.latest.serverClose(1006);
		for (let attempt = 1; attempt <= 10; attempt++) {
			expect(h.state()).toBe('backingOff');
			const delay = h.context().nextDelay ?? -1;
			delays.push(delay);
			expect(h.context().retryAt).toBe(h.clock.wall() + delay);
			h.clock.advance(delay - 1);
			expect(h.state()).toBe('backingOff');
			h.clock.advance(1);
			expect(h.state()).toBe('connecting');
			expect(h.context().attempt).toBe(attempt);
			h.sockets.latest.serverClose(1006);
		}
		expect(delays).toEqual([1, 2, 4, 8, 16, 30, 30, 30, 30, 30].map((s) => s * 1000));
	});

	it('rule 8: with jitter on, each delay lies within [0.75, 1] of the nominal one', () => {
		for (const r of [0, 0.3, 0.999999]) {
			const h = startConnection({ random: () => r });
			h.connectAndConfirm();
			h.sockets.latest.serverClose(1006);
			for (const nominal of [1000, 2000, 4000, 8000, 16000, 30000, 30000]) {
				const delay = h.context().nextDelay ?? -1;
				expect(delay).toBeGreaterThanOrEqual(nominal * 0.75);
				expect(delay).toBeLessThanOrEqual(nominal);
				waitForRetry(h);
				h.sockets.latest.serverClose(1006);
			}
		}
	});

	it('rule 8: the delay is chosen once, on entry to backingOff', () => {
		let draws = 0;
		const h = startConnection({
			random: () => {
				draws++;
				return 0.5;
			}
		});
		h.connectAndConfirm();
		h.sockets.latest.serverClose(1006);
		const chosen = h.context().nextDelay;
		h.clock.advance(400);
		h.actor.send({ type: 'browser.offline' });
		h.actor.send({ type: 'browser.visible' });
		expect(h.context().nextDelay).toBe(chosen);
		expect(draws).toBe(1);
	});

	it('rule 8 and 7: failed exactly after the 10th failed reconnect', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.sockets.latest.serverClose(1006);
		for (let attempt = 1; attempt <= 10; attempt++) {
			expect(h.state()).toBe('backingOff');
			waitForRetry(h);
			expect(h.context().attempt).toBe(attempt);
			h.sockets.latest.serverClose(1006);
		}
		expect(h.state()).toBe('failed');
		expect(h.sockets.sockets).toHaveLength(11);
		h.clock.advance(10 * 60 * 1000);
		expect(h.sockets.sockets).toHaveLength(11);
		expect(h.clock.pendingCount()).toBe(0);
	});

	it('rule 9: a server that accepts and drops every connection cannot hold the client in a 1 s loop', () => {
		const h = startConnection();
		h.actor.send({ type: 'CONNECT' });
		const delays: number[] = [];
		for (let i = 0; i < 5; i++) {
			h.sockets.latest.serverOpen();
			h.sockets.latest.serverMessage({ type: 'connected', clientId: 'c' });
			h.clock.advance(100);
			h.sockets.latest.serverClose(1006);
			delays.push(h.context().nextDelay ?? -1);
			waitForRetry(h);
		}
		expect(delays).toEqual([1000, 2000, 4000, 8000, 16000]);
	});

	it('rule 9: the counter resets once open for stableAfter with `connected` received', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.sockets.latest.serverClose(1006);
		waitForRetry(h);
		h.sockets.latest.serverOpen();
		h.sockets.latest.serverMessage({ type: 'connected', clientId: 'c' });
		expect(h.context().attempt).toBe(1);
		h.clock.advance(4999);
		expect(h.context().attempt).toBe(1);
		h.clock.advance(1);
		expect(h.context().attempt).toBe(0);
	});

	it('rule 9: without `connected` the counter does not reset, however long the socket stays open', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.sockets.latest.serverClose(1006);
		waitForRetry(h);
		h.sockets.latest.serverOpen();
		for (let i = 0; i < 6; i++) {
			h.clock.advance(10000);
			h.sockets.latest.serverMessage({ type: 'ping', ts: i });
		}
		expect(h.context().attempt).toBe(1);
		h.sockets.latest.serverMessage({ type: 'connected', clientId: 'late' });
		expect(h.context().attempt).toBe(0);
		expect(h.context().clientId).toBe('late');
	});

	it('rule 10: failed --CONNECT--> connecting and failed --RETRY--> connecting, counter at 0', () => {
		for (const type of ['CONNECT', 'RETRY'] as const) {
			const h = startConnection({ config: { maxReconnectAttempts: 1 } });
			h.connectAndConfirm();
			h.sockets.latest.serverClose(1006);
			waitForRetry(h);
			h.sockets.latest.serverClose(1006);
			expect(h.state()).toBe('failed');
			h.actor.send({ type });
			expect(h.state()).toBe('connecting');
			expect(h.context().attempt).toBe(0);
			expect(h.sockets.liveCount()).toBe(1);
		}
	});

	it('rule 11: backingOff --RETRY--> connecting at once, and the attempt still counts', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.sockets.latest.serverClose(1006);
		h.clock.advance(10);
		h.actor.send({ type: 'RETRY' });
		expect(h.state()).toBe('connecting');
		expect(h.context().attempt).toBe(1);
		expect(h.context().retryAt).toBeNull();
		h.sockets.latest.serverClose(1006);
		expect(h.context().nextDelay).toBe(2000);
	});

	it('rule 12: while offline, backingOff makes no attempt and burns none; online resumes at once', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.actor.send({ type: 'browser.offline' });
		h.sockets.latest.serverClose(1006);
		h.clock.advance(5 * 60 * 1000);
		expect(h.state()).toBe('backingOff');
		expect(h.sockets.sockets).toHaveLength(1);
		expect(h.context().attempt).toBe(0);
		h.actor.send({ type: 'browser.online' });
		expect(h.state()).toBe('connecting');
		expect(h.context()).toMatchObject({ attempt: 1, online: true });
	});

	it('rule 12: online in backingOff connects now, before the delay is over', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.sockets.latest.serverClose(1006);
		h.actor.send({ type: 'browser.online' });
		expect(h.state()).toBe('connecting');
		expect(h.clock.now()).toBe(0);
	});

	it('rule 12: online in failed connects with the counter reset', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.sockets.latest.serverClose(1008, 'policy');
		h.actor.send({ type: 'browser.offline' });
		h.actor.send({ type: 'browser.online' });
		expect(h.state()).toBe('connecting');
		expect(h.context().attempt).toBe(0);
	});

	it('rule 12: the initial online flag comes from the input', () => {
		const h = startConnection({ online: false });
		expect(h.context().online).toBe(false);
		h.actor.send({ type: 'CONNECT' });
		h.sockets.latest.serverClose(1006);
		h.clock.advance(60000);
		expect(h.state()).toBe('backingOff');
	});
});
