/**
 * The console's story of the connection, as the seed's working system told it: one line per step
 * that a developer watching the console needs ("Connecting to WebSocket: ws://…", "WebSocket
 * connected successfully", "Received keepalive ping", "Connection closed (1006): reconnecting in
 * 2.0 s, attempt 2 of 10", "Gave up after 10 attempts", "This tab now holds the connection"…).
 * Pure: each line is derived from two of the machine's snapshots and the event between them, or
 * from a step of the tabs' coordination. `narrator.ts` feeds it and writes the lines.
 */
import type { StateValue } from 'xstate';
import { CLOSE } from '$machines/close-codes';
import { connectionStateName } from '$machines/state-names';

/** The part of a connection snapshot the story reads (the real one and a mirrored one fit). */
export interface NarratedSnapshot {
	value: StateValue;
	context: {
		url: string;
		clientId: string | null;
		attempt: number;
		nextDelay: number | null;
		lastClose: { code: number; reason: string } | null;
		online: boolean;
		why: { event: string; code?: number; reason?: string } | null;
		config: { maxReconnectAttempts: number; staleAfter: number };
	};
}

/** The event that led to a snapshot, as far as the story needs it. */
export interface NarratedEvent {
	type: string;
	message?: unknown;
}

/** Steps of the tabs' coordination. */
export type TabStep = 'leader' | 'follower' | 'new-leader' | 'alone';

const TAB_LINES: Record<TabStep, string> = {
	leader: 'This tab now holds the connection',
	follower: 'Another tab holds the connection; this tab shows it and sends through it',
	'new-leader': 'Another tab has taken the connection over',
	alone: 'No Web Locks or BroadcastChannel here: this tab keeps a connection of its own'
};

export function narrateTab(step: TabStep): string {
	return TAB_LINES[step];
}

/** The lines for one step of the machine: none when nothing worth telling happened. */
export function narrateStep(
	before: NarratedSnapshot | null,
	after: NarratedSnapshot,
	event?: NarratedEvent
): string[] {
	const lines: string[] = [];
	if (event?.type === 'socket.message' && messageType(event.message) === 'ping') {
		lines.push('Received keepalive ping');
	}
	const from = before ? connectionStateName(before) : null;
	const to = connectionStateName(after);
	const { context } = after;
	const max = context.config.maxReconnectAttempts;
	if (before && !before.context.clientId && context.clientId) {
		lines.push(`Server confirmed connection. Client ID: ${context.clientId}`);
	}
	if (from === to || before === null) return lines;
	switch (to) {
		case 'connecting':
			lines.push(
				context.attempt > 0
					? `Connecting to WebSocket: ${context.url} (attempt ${context.attempt} of ${max})`
					: `Connecting to WebSocket: ${context.url}`
			);
			break;
		case 'open':
			lines.push(
				from === 'stale'
					? 'The server spoke again: connection stable'
					: 'WebSocket connected successfully'
			);
			break;
		case 'stale':
			lines.push(
				`No message from the server for ${seconds(context.config.staleAfter)} s: checking with a ping`
			);
			break;
		case 'backingOff':
			lines.push(backingOff(after));
			break;
		case 'failed':
			lines.push(failed(after));
			break;
		case 'idle':
			lines.push(
				context.why?.event === 'DISCONNECT'
					? 'Disconnected (asked for)'
					: `Connection closed ${closeText(after)}: not reconnecting`
			);
			break;
	}
	return lines;
}

function backingOff(snapshot: NarratedSnapshot): string {
	const { context } = snapshot;
	const next = `attempt ${context.attempt + 1} of ${context.config.maxReconnectAttempts}`;
	const what =
		context.why?.event === 'after.connectTimeout'
			? 'Connection attempt timed out'
			: context.why?.event === 'after.pingTimeout' || context.why?.code === CLOSE.keepaliveTimeout
				? `No keepalive from the server ${closeText(snapshot)}`
				: `Connection closed ${closeText(snapshot)}`;
	if (!context.online) return `${what}: offline, ${next} waits for the network`;
	const delay = context.nextDelay === null ? '?' : (context.nextDelay / 1000).toFixed(1);
	return `${what}: reconnecting in ${delay} s, ${next}`;
}

function failed(snapshot: NarratedSnapshot): string {
	const { context } = snapshot;
	const max = context.config.maxReconnectAttempts;
	if (context.attempt >= max) {
		return `Gave up after ${max} attempts${context.lastClose ? `: last close ${closeText(snapshot)}` : ''}`;
	}
	return `Connection failed ${closeText(snapshot)}: not retrying`;
}

/** `(1006)`, `(1012 service restart)`. */
function closeText(snapshot: NarratedSnapshot): string {
	const close = snapshot.context.lastClose;
	if (!close) return '';
	const reason = close.reason.trim();
	return reason ? `(${close.code} ${reason})` : `(${close.code})`;
}

function seconds(ms: number): string {
	return (ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1);
}

function messageType(message: unknown): unknown {
	return typeof message === 'object' && message !== null && 'type' in message
		? message.type
		: undefined;
}
