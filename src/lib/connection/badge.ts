/**
 * What the connection badge and buttons show, derived from the machine's state and context only
 * (spec table "States"). Pure, so the page keeps no copy of connection state of its own.
 */
import { CLOSE, CLOSE_MEANINGS } from '$machines/close-codes';
import type { ConnectionStateName } from '$machines/state-names';

export type BadgeTone = 'grey' | 'green' | 'amber' | 'orange' | 'red';

/** The parts of the machine's snapshot the badge reads. */
export type BadgeInput = {
	state: ConnectionStateName;
	attempt: number;
	maxAttempts: number;
	retryAt: number | null;
	lastClose: { code: number; reason: string } | null;
	/** Why the last transition happened (rule 16). */
	why: { event: string; code?: number; reason?: string } | null;
	online: boolean;
};

export type BadgeView = {
	label: string;
	tone: BadgeTone;
	/** A second line: the reason, or what the page is waiting for. */
	detail: string | null;
	/** Whole seconds until the next attempt, in backingOff. */
	countdown: number | null;
	/**
	 * What a screen reader announces: the state in words without the running countdown, so it
	 * changes (and is read out) when the state does, not every second.
	 */
	announcement: string;
};

/** Closes whose meaning a person needs spelled out, not just named. */
const closeExplanations: Record<number, string> = {
	[CLOSE.unauthorized]:
		'This conversation belongs to another browser: this page does not hold its token'
};

/**
 * What the page says while it keeps trying: a host such as Render lets a sleeping server take
 * 30-60 s to accept, longer than one connect timeout, so a slow server is not a broken one.
 */
const WAKING_HINT = 'Still trying: a server that was asleep can take a minute to wake up';
const SLOW_SERVER = 'The server did not answer in time; it may be starting up';

/** A close code with its reason, as a person reads it: `replaced (1000)`. */
export function describeClose(close: { code: number; reason: string }): string {
	const text = close.reason.trim() || CLOSE_MEANINGS[close.code] || 'closed';
	return `${text} (${close.code})`;
}

/** Badge label, colour, detail line and countdown for a state. `now` drives the countdown. */
export function badgeView(input: BadgeInput, now: number): BadgeView {
	const view = shownView(input, now);
	const spoken =
		view.countdown === null
			? view.label
			: `Reconnecting (attempt ${input.attempt + 1} of ${input.maxAttempts})`;
	return { ...view, announcement: view.detail ? `${spoken}: ${view.detail}` : spoken };
}

function shownView(input: BadgeInput, now: number): Omit<BadgeView, 'announcement'> {
	const attemptOf = (n: number) => `attempt ${n} of ${input.maxAttempts}`;
	switch (input.state) {
		case 'idle': {
			const serverEnded = input.why?.event === 'socket.close' && input.lastClose;
			return {
				label: 'Disconnected',
				tone: 'grey',
				detail: serverEnded && input.lastClose ? describeClose(input.lastClose) : null,
				countdown: null
			};
		}
		case 'connecting':
			return {
				label: input.attempt > 0 ? `Connecting… (${attemptOf(input.attempt)})` : 'Connecting…',
				tone: 'grey',
				detail: input.attempt > 0 ? WAKING_HINT : null,
				countdown: null
			};
		case 'open':
			return { label: 'Connected', tone: 'green', detail: null, countdown: null };
		case 'stale':
			return {
				label: 'Unstable',
				tone: 'amber',
				detail: 'The server has gone quiet; checking…',
				countdown: null
			};
		case 'backingOff': {
			const next = attemptOf(input.attempt + 1);
			if (!input.online) {
				return {
					label: `Offline (${next} waits)`,
					tone: 'orange',
					detail: 'Waiting for the network to come back',
					countdown: null
				};
			}
			const seconds = Math.max(0, Math.ceil(((input.retryAt ?? now) - now) / 1000));
			return {
				label: `Reconnecting in ${seconds}s (${next})`,
				tone: 'orange',
				detail: input.why?.event === 'after.connectTimeout' ? SLOW_SERVER : lastFailure(input),
				countdown: seconds
			};
		}
		case 'failed':
			return {
				label: 'Failed',
				tone: 'red',
				detail: failedReason(input),
				countdown: null
			};
	}
}

/** What ended the last attempt. A connect timeout records no close, so `lastClose` is older. */
function lastFailure(input: BadgeInput): string | null {
	if (input.why?.event === 'after.connectTimeout') return input.why.reason ?? 'connect timeout';
	return input.lastClose ? describeClose(input.lastClose) : null;
}

function failedReason(input: BadgeInput): string {
	const timedOut = input.why?.event === 'after.connectTimeout';
	const explained = input.lastClose && !timedOut && closeExplanations[input.lastClose.code];
	if (explained && input.lastClose) return `${explained} (${describeClose(input.lastClose)})`;
	const close = lastFailure(input);
	if (input.attempt >= input.maxAttempts) {
		return `Gave up after ${input.maxAttempts} attempts${close ? `: ${close}` : ''}`;
	}
	return close ?? 'The connection could not be made';
}
