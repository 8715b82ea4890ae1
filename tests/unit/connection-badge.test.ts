import { describe, expect, it } from 'vitest';
import { badgeView, describeClose, type BadgeInput } from '../../src/lib/connection/badge';

const NOW = 1_000_000;

/** A badge input in `state`, with the spec's defaults for everything else. */
const input = (overrides: Partial<BadgeInput> & Pick<BadgeInput, 'state'>): BadgeInput => ({
	attempt: 0,
	maxAttempts: 10,
	retryAt: null,
	lastClose: null,
	why: null,
	online: true,
	...overrides
});

describe('describeClose', () => {
	it('shows the reason the server gave, with the code', () => {
		expect(describeClose({ code: 1000, reason: 'replaced' })).toBe('replaced (1000)');
	});

	it('names a known code when there is no reason', () => {
		expect(describeClose({ code: 1006, reason: '' })).toBe('connection lost (1006)');
		expect(describeClose({ code: 1012, reason: '  ' })).toBe('service restart (1012)');
		expect(describeClose({ code: 4000, reason: '' })).toBe('keepalive timeout (4000)');
	});

	it('still says something for an unknown code without a reason', () => {
		expect(describeClose({ code: 4567, reason: '' })).toBe('closed (4567)');
	});
});

describe('badgeView: one view per state of the spec table', () => {
	it('idle: Disconnected in grey, without a reason when the user disconnected', () => {
		const view = badgeView(
			input({
				state: 'idle',
				why: { event: 'DISCONNECT' },
				lastClose: { code: 1006, reason: '' }
			}),
			NOW
		);
		expect(view).toEqual({
			label: 'Disconnected',
			tone: 'grey',
			detail: null,
			countdown: null,
			announcement: 'Disconnected'
		});
	});

	it('idle: shows the server close reason when the server ended the connection', () => {
		const close = { code: 1000, reason: 'replaced' };
		const view = badgeView(
			input({ state: 'idle', why: { event: 'socket.close', ...close }, lastClose: close }),
			NOW
		);
		expect(view).toMatchObject({ label: 'Disconnected', tone: 'grey', detail: 'replaced (1000)' });
	});

	it('idle before anything happened: Disconnected, no detail', () => {
		expect(badgeView(input({ state: 'idle' }), NOW).detail).toBeNull();
	});

	it('connecting: Connecting… without an attempt number on the first connect', () => {
		expect(badgeView(input({ state: 'connecting' }), NOW)).toEqual({
			label: 'Connecting…',
			tone: 'grey',
			detail: null,
			countdown: null,
			announcement: 'Connecting…'
		});
	});

	it('connecting: says attempt n of 10 while reconnecting, and that a sleeping server is slow', () => {
		const view = badgeView(input({ state: 'connecting', attempt: 3 }), NOW);
		expect(view.label).toBe('Connecting… (attempt 3 of 10)');
		expect(view.detail).toMatch(/asleep can take a minute/);
	});

	it('backingOff after a connect timeout: the server may be starting up', () => {
		const view = badgeView(
			input({
				state: 'backingOff',
				attempt: 1,
				retryAt: NOW + 2000,
				lastClose: { code: 1012, reason: 'service restart' },
				why: { event: 'after.connectTimeout', reason: 'connect timeout' }
			}),
			NOW
		);
		expect(view.label).toBe('Reconnecting in 2s (attempt 2 of 10)');
		expect(view.detail).toBe('The server did not answer in time; it may be starting up');
	});

	it('connecting: counts attempts against the configured maximum', () => {
		const view = badgeView(input({ state: 'connecting', attempt: 2, maxAttempts: 4 }), NOW);
		expect(view.label).toBe('Connecting… (attempt 2 of 4)');
	});

	it('open: Connected in green', () => {
		expect(badgeView(input({ state: 'open' }), NOW)).toEqual({
			label: 'Connected',
			tone: 'green',
			detail: null,
			countdown: null,
			announcement: 'Connected'
		});
	});

	it('stale: Unstable in amber, saying that it is checking', () => {
		const view = badgeView(input({ state: 'stale' }), NOW);
		expect(view).toMatchObject({ label: 'Unstable', tone: 'amber', countdown: null });
		expect(view.detail).toMatch(/quiet/);
	});

	it('backingOff: Reconnecting in Ns for the next attempt, in orange, with the close reason', () => {
		const view = badgeView(
			input({
				state: 'backingOff',
				attempt: 2,
				retryAt: NOW + 4000,
				lastClose: { code: 1012, reason: 'service restart' }
			}),
			NOW
		);
		expect(view).toEqual({
			label: 'Reconnecting in 4s (attempt 3 of 10)',
			tone: 'orange',
			detail: 'service restart (1012)',
			countdown: 4,
			announcement: 'Reconnecting (attempt 3 of 10): service restart (1012)'
		});
	});

	it('backingOff: the countdown rounds up to whole seconds and goes down as time passes', () => {
		const state = input({ state: 'backingOff', retryAt: NOW + 2500 });
		expect(badgeView(state, NOW).countdown).toBe(3);
		expect(badgeView(state, NOW + 500).countdown).toBe(2);
		expect(badgeView(state, NOW + 501).countdown).toBe(2);
		expect(badgeView(state, NOW + 1500).countdown).toBe(1);
		expect(badgeView(state, NOW + 2499).countdown).toBe(1);
		expect(badgeView(state, NOW + 2500).countdown).toBe(0);
	});

	it('backingOff: the countdown never goes below zero when the attempt is late', () => {
		const view = badgeView(input({ state: 'backingOff', retryAt: NOW - 3000 }), NOW);
		expect(view.countdown).toBe(0);
		expect(view.label).toBe('Reconnecting in 0s (attempt 1 of 10)');
	});

	it('backingOff while offline: waits for the network instead of counting down', () => {
		const view = badgeView(
			input({ state: 'backingOff', attempt: 4, retryAt: NOW + 8000, online: false }),
			NOW
		);
		expect(view).toEqual({
			label: 'Offline (attempt 5 of 10 waits)',
			tone: 'orange',
			detail: 'Waiting for the network to come back',
			countdown: null,
			announcement: 'Offline (attempt 5 of 10 waits): Waiting for the network to come back'
		});
	});

	it('failed after the last attempt: Failed in red, saying it gave up and why', () => {
		const view = badgeView(
			input({ state: 'failed', attempt: 10, lastClose: { code: 1006, reason: '' } }),
			NOW
		);
		expect(view).toEqual({
			label: 'Failed',
			tone: 'red',
			detail: 'Gave up after 10 attempts: connection lost (1006)',
			countdown: null,
			announcement: 'Failed: Gave up after 10 attempts: connection lost (1006)'
		});
	});

	it('failed after the last attempt timed out: says so, not an older close reason', () => {
		const view = badgeView(
			input({
				state: 'failed',
				attempt: 10,
				lastClose: { code: 1012, reason: 'service restart' },
				why: { event: 'after.connectTimeout', reason: 'connect timeout' }
			}),
			NOW
		);
		expect(view.detail).toBe('Gave up after 10 attempts: connect timeout');
	});

	it('failed on 4401: says the conversation belongs to another browser', () => {
		const view = badgeView(
			input({ state: 'failed', attempt: 0, lastClose: { code: 4401, reason: 'unauthorized' } }),
			NOW
		);
		expect(view).toMatchObject({ label: 'Failed', tone: 'red' });
		expect(view.detail).toBe(
			'This conversation belongs to another browser: this page does not hold its token (unauthorized (4401))'
		);
	});

	it('failed on a permanent close code: the reason alone, no talk of attempts', () => {
		const view = badgeView(
			input({
				state: 'failed',
				attempt: 0,
				lastClose: { code: 4400, reason: 'invalid client id' }
			}),
			NOW
		);
		expect(view).toMatchObject({ label: 'Failed', tone: 'red' });
		expect(view.detail).toBe('invalid client id (4400)');
	});

	it('failed on a policy close: names the code when the server gave no reason', () => {
		const view = badgeView(
			input({ state: 'failed', attempt: 1, lastClose: { code: 1008, reason: '' } }),
			NOW
		);
		expect(view.detail).toBe('policy violation (1008)');
	});

	it('failed without any close: still gives a reason', () => {
		const view = badgeView(input({ state: 'failed' }), NOW);
		expect(view.detail).toBe('The connection could not be made');
	});
});

describe('the badge announcement (its live region)', () => {
	it('stays the same while the countdown runs, and changes with the state', () => {
		const backingOff = input({
			state: 'backingOff',
			attempt: 1,
			retryAt: NOW + 4_000,
			lastClose: { code: 1006, reason: '' }
		});
		const at = (ms: number) => badgeView(backingOff, NOW + ms);
		expect(at(0).label).not.toBe(at(1_000).label);
		expect(at(0).announcement).toBe(at(1_000).announcement);
		expect(at(0).announcement).toBe('Reconnecting (attempt 2 of 10): connection lost (1006)');
		expect(at(0).announcement).not.toMatch(/\ds/);
		expect(badgeView(input({ state: 'open' }), NOW).announcement).toBe('Connected');
		expect(
			badgeView(
				input({
					state: 'idle',
					why: { event: 'socket.close' },
					lastClose: { code: 1000, reason: 'replaced' }
				}),
				NOW
			).announcement
		).toBe('Disconnected: replaced (1000)');
	});
});
