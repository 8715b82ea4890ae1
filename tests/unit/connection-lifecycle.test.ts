import { describe, expect, it } from 'vitest';
import { ignoreSocketError } from '../../machines/socket';
import { startConnection, type Harness } from '../support/connection-harness';

/** Drives a fresh machine into the named state. */
const reach: Record<string, (h: Harness) => void> = {
	idle: () => {},
	connecting: (h) => h.actor.send({ type: 'CONNECT' }),
	open: (h) => h.connectAndConfirm(),
	stale: (h) => {
		h.connectAndConfirm();
		h.clock.advance(15000);
	},
	backingOff: (h) => {
		h.connectAndConfirm();
		h.sockets.latest.serverClose(1006);
	},
	failed: (h) => {
		h.connectAndConfirm();
		h.sockets.latest.serverClose(4403, 'forbidden');
	}
};

/** No socket, timer or listener (other than the error sink) is left behind. */
function expectNothingLeft(h: Harness) {
	expect(h.sockets.liveCount()).toBe(0);
	expect(h.clock.pendingCount()).toBe(0);
	expect(h.sockets.listenerCount([ignoreSocketError])).toBe(0);
}

describe('connection machine: disconnecting, cleanup and bookkeeping', () => {
	it.each(Object.keys(reach))(
		'rule 13: DISCONNECT in %s leads to idle and cancels everything',
		(name) => {
			const h = startConnection();
			reach[name]?.(h);
			expect(h.state()).toBe(name);
			const hadSocket = h.sockets.liveCount() === 1;
			h.actor.send({ type: 'DISCONNECT' });
			expect(h.state()).toBe('idle');
			expectNothingLeft(h);
			if (hadSocket) {
				expect(h.sockets.latest.closeCalls).toEqual([{ code: 1000, reason: 'client disconnect' }]);
			}
			const created = h.sockets.sockets.length;
			h.clock.advance(60 * 60 * 1000);
			expect(h.state()).toBe('idle');
			expect(h.sockets.sockets).toHaveLength(created);
		}
	);

	it('rule 13: the page can ask whether DISCONNECT applies: everywhere except idle', () => {
		for (const name of Object.keys(reach)) {
			const h = startConnection();
			reach[name]?.(h);
			expect(h.actor.getSnapshot().can({ type: 'DISCONNECT' })).toBe(name !== 'idle');
		}
	});

	it('rule 14: leaving a socket state closes the socket and removes its handlers', () => {
		const h = startConnection();
		h.connectAndConfirm();
		const first = h.sockets.latest;
		first.serverClose(1006);
		expect(first.listenerCount('open') + first.listenerCount('message')).toBe(0);
		expect(first.listenersOf('error')).toEqual([ignoreSocketError]);
		h.actor.send({ type: 'RETRY' });
		h.clock.advance(20000);
		expect(h.sockets.sockets[1]?.closeCalls).toHaveLength(1);
		expect(h.sockets.liveCount()).toBe(0);
	});

	it('rule 14: at most one socket exists at any time, across a long unlucky session', () => {
		const h = startConnection({ random: Math.random });
		h.actor.send({ type: 'CONNECT' });
		for (let step = 0; step < 200; step++) {
			const socket = h.sockets.latest;
			if (h.state() === 'connecting' && step % 3 === 0) socket.serverOpen();
			else if (h.state() === 'open' && step % 2 === 0) socket.serverClose(1011);
			else if (h.state() === 'failed') h.actor.send({ type: 'RETRY' });
			else h.clock.advance(7000);
			expect(h.sockets.liveCount()).toBeLessThanOrEqual(1);
		}
		expect(h.sockets.sockets.length).toBeGreaterThan(10);
	});

	it("rule 14: an old socket's late events can never move the machine", () => {
		const h = startConnection();
		h.connectAndConfirm();
		const old = h.sockets.latest;
		old.serverClose(1006);
		h.actor.send({ type: 'RETRY' });
		expect(h.state()).toBe('connecting');
		old.serverOpen();
		old.serverMessage({ type: 'connected', clientId: 'ghost' });
		old.serverClose(1000);
		expect(() => old.error()).not.toThrow();
		expect(h.state()).toBe('connecting');
		expect(h.context().clientId).toBe('test-client');
	});

	it('rule 14: a socket that ignores removeEventListener still cannot move the machine', () => {
		const h = startConnection();
		h.sockets.leaky = true;
		h.connectAndConfirm();
		const old = h.sockets.latest;
		h.clock.advance(60000);
		expect(h.state()).toBe('backingOff');
		h.actor.send({ type: 'RETRY' });
		old.serverMessage({ type: 'connected', clientId: 'ghost' });
		old.serverOpen();
		old.serverClose(4403);
		expect(h.state()).toBe('connecting');
		expect(h.sockets.liveCount()).toBe(1);
	});

	it.each(Object.keys(reach))(
		'rule 14: stopping the actor in %s leaves no socket, timer or listener',
		(name) => {
			const h = startConnection();
			reach[name]?.(h);
			h.actor.stop();
			expectNothingLeft(h);
		}
	);

	it('rule 14: after 1,000 connect/disconnect cycles the number of live fake sockets is 0 and no timers are pending', () => {
		const h = startConnection();
		for (let cycle = 0; cycle < 1000; cycle++) {
			h.actor.send({ type: 'CONNECT' });
			if (cycle % 2 === 0) h.sockets.latest.serverOpen();
			if (cycle % 4 === 0) h.sockets.latest.serverMessage({ type: 'connected', clientId: 'c' });
			h.clock.advance(cycle % 7);
			h.actor.send({ type: 'DISCONNECT' });
		}
		expect(h.sockets.sockets).toHaveLength(1000);
		expectNothingLeft(h);
		h.actor.stop();
		expectNothingLeft(h);
	});

	it('SEND sends a text frame in open and stale and is not accepted elsewhere', () => {
		const h = startConnection();
		expect(h.actor.getSnapshot().can({ type: 'SEND', data: 'x' })).toBe(false);
		h.actor.send({ type: 'CONNECT' });
		expect(h.actor.getSnapshot().can({ type: 'SEND', data: 'x' })).toBe(false);
		h.sockets.latest.serverOpen();
		h.actor.send({ type: 'SEND', data: '{"type":"chat","text":"a"}' });
		h.clock.advance(15000);
		h.actor.send({ type: 'SEND', data: '{"type":"chat","text":"b"}' });
		expect(h.sockets.latest.sent).toEqual([
			'{"type":"chat","text":"a"}',
			'{"type":"ping"}',
			'{"type":"chat","text":"b"}'
		]);
	});

	it('rule 15: a hidden tab catches up at once on browser.visible: stale after 15 s of silence', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.clock.sleep(16000);
		expect(h.state()).toBe('open');
		h.actor.send({ type: 'browser.visible' });
		expect(h.state()).toBe('stale');
		expect(h.sockets.latest.sentJson()).toEqual([{ type: 'ping' }]);
	});

	it('rule 15: a hidden tab catches up at once on browser.visible: reconnect after 60 s', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.clock.sleep(60000);
		h.actor.send({ type: 'browser.visible' });
		expect(h.state()).toBe('backingOff');
		expect(h.sockets.sockets[0]?.closeCalls).toEqual([{ code: 4000, reason: 'keepalive timeout' }]);
	});

	it('rule 15: coming back online re-evaluates the silence too, in open and in stale', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.clock.advance(15000);
		expect(h.state()).toBe('stale');
		h.actor.send({ type: 'browser.offline' });
		h.clock.sleep(45000);
		h.actor.send({ type: 'browser.online' });
		expect(h.state()).toBe('backingOff');
		expect(h.context().online).toBe(true);
	});

	it('rule 15: visible with a short silence changes nothing', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.clock.sleep(14999);
		h.actor.send({ type: 'browser.visible' });
		h.actor.send({ type: 'browser.online' });
		expect(h.state()).toBe('open');
	});

	it('rule 15: a stale check that fires late applies rule 5 at once', () => {
		const h = startConnection();
		h.connectAndConfirm();
		h.clock.sleep(50000);
		h.clock.advance(15000);
		expect(h.state()).toBe('backingOff');
		expect(h.context().why).toMatchObject({ event: 'keepalive.timeout', at: 65000 });
		expect(h.sockets.sockets[0]?.sentJson()).toEqual([]);
	});

	it('rule 16: each transition records its event, code, reason and time', () => {
		const h = startConnection();
		h.clock.advance(5);
		h.actor.send({ type: 'CONNECT' });
		expect(h.context().why).toEqual({ event: 'CONNECT', at: 5 });
		h.sockets.latest.serverOpen();
		expect(h.context().why).toEqual({ event: 'socket.open', at: 5 });
		h.clock.advance(15000);
		expect(h.context().why).toEqual({ event: 'after.staleAfter', at: 15005 });
		h.sockets.latest.serverClose(1012, 'service restart');
		expect(h.context().why).toEqual({
			event: 'socket.close',
			code: 1012,
			reason: 'service restart',
			at: 15005
		});
		h.clock.advance(1000);
		expect(h.context().why).toEqual({ event: 'after.reconnectDelay', at: 16005 });
		h.actor.send({ type: 'DISCONNECT' });
		expect(h.context().why).toEqual({ event: 'DISCONNECT', at: 16005 });
	});
});
