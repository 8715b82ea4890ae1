import { afterEach, describe, expect, it } from 'vitest';
import { createActor, SimulatedClock, type Actor } from 'xstate';
import {
	EVENT_LOG_SIZE,
	EventLog,
	eventLabel,
	reasonFor,
	stateLabel
} from '../../src/lib/inspector/event-log';
import { connectionMachine } from '../../machines/connection';
import { FakeSocketRegistry } from '../support/fake-socket';
import { sampleMachine } from './inspector-sample-machine';

let actor: Actor<typeof sampleMachine> | undefined;
const cleanupActors: Array<{ stop(): void }> = [];
afterEach(() => {
	actor?.stop();
	cleanupActors.splice(0).forEach((a) => a.stop());
});

/** Starts the sample machine with the log attached the way the page does it. */
function startLogged(log = new EventLog()) {
	const clock = new SimulatedClock();
	actor = createActor(sampleMachine, { inspect: log.observer(), clock }).start();
	return { log, clock, actor };
}

const rows = (log: EventLog) =>
	log.entries.map((e) => `${e.from} -> ${e.to}: ${e.label} (${e.reason.text})`);

describe('EventLog', () => {
	it('keeps only the newest entries up to its capacity of 50', () => {
		const log = new EventLog();
		for (let i = 0; i < EVENT_LOG_SIZE + 7; i++) {
			log.record({
				at: i,
				event: `E${i}`,
				label: `E${i}`,
				from: 'a',
				to: 'b',
				reason: { kind: 'user', text: 'user' }
			});
		}
		expect(log.entries).toHaveLength(EVENT_LOG_SIZE);
		expect(log.entries[0]!.event).toBe('E7');
		expect(log.entries.at(-1)!.event).toBe(`E${EVENT_LOG_SIZE + 6}`);
		expect(log.entries.at(-1)!.seq).toBe(EVENT_LOG_SIZE + 7);
	});

	it('tells subscribers about every entry until they unsubscribe', () => {
		const log = new EventLog();
		const seen: number[] = [];
		const stop = log.subscribe((entries) => seen.push(entries.length));
		log.record({
			at: 0,
			event: 'A',
			label: 'A',
			from: 'x',
			to: 'y',
			reason: { kind: 'user', text: 'user' }
		});
		stop();
		log.record({
			at: 1,
			event: 'B',
			label: 'B',
			from: 'y',
			to: 'z',
			reason: { kind: 'user', text: 'user' }
		});
		expect(seen).toEqual([0, 1]);
	});

	it('records start, user events, socket events, timeouts and close codes with their reasons', () => {
		const { log, clock, actor } = startLogged();
		actor.send({ type: 'CONNECT' });
		actor.send({ type: 'socket.open' });
		clock.increment(1500);
		actor.send({ type: 'socket.close', code: 1006, reason: '' });
		actor.send({ type: 'RETRY' });
		actor.send({ type: 'socket.close', code: 1008, reason: 'policy' });
		expect(rows(log)).toEqual([
			' -> idle: start (actor started)',
			'idle -> connecting: CONNECT (user)',
			'connecting -> open: socket.open (socket.open)',
			'open -> stale: after staleAfter (after staleAfter)',
			'stale -> backingOff: socket.close (1006)',
			'backingOff -> connecting: RETRY (user)',
			'connecting -> failed: socket.close (1008 policy)'
		]);
		expect(log.entries.at(-1)!.reason).toEqual({
			kind: 'close',
			text: '1008 policy',
			code: 1008,
			reason: 'policy'
		});
		expect(log.entries[3]!.reason.kind).toBe('timeout');
	});

	it('leaves out self loops, actions-only transitions and ignored events', () => {
		const { log, actor } = startLogged();
		actor.send({ type: 'CONNECT' });
		actor.send({ type: 'socket.open' });
		const before = log.entries.length;
		actor.send({ type: 'socket.message', data: 'ping' });
		actor.send({ type: 'SEND', data: 'hello' });
		actor.send({ type: 'CONNECT' });
		expect(log.entries).toHaveLength(before);
	});

	it('takes the time of each entry from context.why when the step set it', () => {
		const { log, actor } = startLogged(new EventLog({ now: () => -1 }));
		actor.send({ type: 'CONNECT' });
		const why = actor.getSnapshot().context.why;
		expect(log.entries.at(-1)!.at).toBe(why!.at);
	});
});

describe('event log helpers', () => {
	it('names after-events by their delay', () => {
		expect(eventLabel('xstate.after.staleAfter.conn.live.open')).toBe('after staleAfter');
		expect(eventLabel('xstate.after.1000.conn.backingOff')).toBe('after 1000 ms');
		expect(eventLabel('CONNECT')).toBe('CONNECT');
	});

	it('classifies reasons from event types and close codes', () => {
		expect(reasonFor('socket.close', { code: 4000, reason: 'keepalive timeout' }).text).toBe(
			'4000 keepalive timeout'
		);
		expect(reasonFor('browser.online', {}).kind).toBe('browser');
		expect(reasonFor('socket.error', {}).kind).toBe('error');
		expect(reasonFor('DISCONNECT', {}).kind).toBe('user');
	});

	it('labels nested and parallel state values by their leaves', () => {
		expect(stateLabel({ live: 'open' })).toBe('open');
		expect(stateLabel({ a: 'x', b: { c: 'y' } })).toBe('x, y');
	});
});

describe('EventLog on the connection machine', () => {
	it('records open, stale, backingOff and failed with the reason of each', () => {
		const clock = new SimulatedClock();
		const sockets = new FakeSocketRegistry();
		const log = new EventLog({ now: () => clock.now() });
		const connection = createActor(connectionMachine, {
			input: {
				url: 'ws://test/ws/a',
				createSocket: sockets.create,
				now: () => clock.now(),
				random: () => 1
			},
			clock,
			inspect: log.observer()
		}).start();
		cleanupActors.push(connection);
		const config = connection.getSnapshot().context.config;

		connection.send({ type: 'CONNECT' });
		sockets.latest.serverOpen();
		sockets.latest.serverMessage({ type: 'connected', clientId: 'a' });
		clock.increment(config.staleAfter);
		clock.increment(config.pingTimeout - config.staleAfter);
		clock.increment(connection.getSnapshot().context.nextDelay!);
		sockets.latest.serverClose(4403, 'forbidden');

		expect(rows(log)).toEqual([
			' -> idle: start (actor started)',
			'idle -> connecting: CONNECT (user)',
			'connecting -> open: socket.open (socket.open)',
			'open -> stale: after staleAfter (after staleAfter)',
			'stale -> backingOff: after pingTimeout (4000 keepalive timeout)',
			'backingOff -> connecting: after reconnectDelay (after reconnectDelay)',
			'connecting -> failed: socket.close (4403 forbidden)'
		]);
		expect(log.entries.map((e) => e.at)).toEqual(
			[...log.entries.map((e) => e.at)].sort((a, b) => a - b)
		);
	});
});
