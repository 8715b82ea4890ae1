/**
 * The inspector's event log: the last 50 transitions of the root actor, each with its time, event,
 * from -> to state and the reason (close code and reason, timeout, user, browser). It is fed by
 * xstate's inspection stream: the microsteps of a macrostep say which transitions were taken, and
 * the snapshot that ends it gives the new state and `context.why`. Events that took no transition,
 * or only actions-only ones (every server message, every SEND), are left out so that a chatty
 * connection cannot push the state changes out of the log.
 */
import { leavesSource } from './graph';
import type {
	AnyEventObject,
	AnyTransitionDefinition,
	InspectionEvent,
	Observer,
	StateValue
} from 'xstate';

export type ReasonKind =
	'start' | 'user' | 'timeout' | 'close' | 'error' | 'socket' | 'browser' | 'internal';

export interface EventReason {
	kind: ReasonKind;
	/** Short human text: `user`, `after staleAfter`, `1006`, `4000 keepalive timeout`, … */
	text: string;
	code?: number;
	reason?: string;
}

export interface EventLogEntry {
	/** Increases by one per entry over the log's lifetime (a stable key for lists). */
	seq: number;
	/** Epoch ms: the machine's own `why.at` when it recorded one for this step, else the clock. */
	at: number;
	/** The event type exactly as the machine received it. */
	event: string;
	/** The event for people: `after staleAfter` instead of `xstate.after.staleAfter.…`. */
	label: string;
	from: string;
	to: string;
	reason: EventReason;
}

export const EVENT_LOG_SIZE = 50;

interface Why {
	event?: unknown;
	code?: unknown;
	reason?: unknown;
	at?: unknown;
}

interface MachineLikeSnapshot {
	value: StateValue;
	context?: unknown;
	status?: string;
}

/** A bounded, subscribable list of transitions, newest last. */
export class EventLog {
	readonly capacity: number;
	#entries: EventLogEntry[] = [];
	#seq = 0;
	#listeners = new Set<(entries: readonly EventLogEntry[]) => void>();
	readonly #now: () => number;

	constructor(options: { capacity?: number; now?: () => number } = {}) {
		this.capacity = options.capacity ?? EVENT_LOG_SIZE;
		this.#now = options.now ?? (() => Date.now());
	}

	/** The recorded entries, oldest first; a new array after every change. */
	get entries(): readonly EventLogEntry[] {
		return this.#entries;
	}

	/** Appends an entry, dropping the oldest beyond `capacity`, and tells the subscribers. */
	record(entry: Omit<EventLogEntry, 'seq'>): void {
		const next = [...this.#entries, { ...entry, seq: ++this.#seq }];
		this.#entries = next.length > this.capacity ? next.slice(next.length - this.capacity) : next;
		this.#listeners.forEach((listener) => listener(this.#entries));
	}

	/**
	 * Shows another log's entries instead (a tab mirroring the tab that runs the actor); entries
	 * recorded here later follow on from them.
	 */
	replace(entries: readonly EventLogEntry[]): void {
		this.#entries = entries.slice(-this.capacity);
		this.#seq = Math.max(this.#seq, ...entries.map((entry) => entry.seq));
		this.#listeners.forEach((listener) => listener(this.#entries));
	}

	/** Calls `listener` with the entries now and after every change; returns the unsubscribe. */
	subscribe(listener: (entries: readonly EventLogEntry[]) => void): () => void {
		this.#listeners.add(listener);
		listener(this.#entries);
		return () => this.#listeners.delete(listener);
	}

	/**
	 * An inspection observer for `createActor(machine, { inspect })` or `actor.system.inspect(…)`
	 * that records the root actor's transitions into this log. Attaching to a running actor, pass
	 * its current snapshot so the first entry knows where the machine came from.
	 */
	observer(current?: unknown): Observer<InspectionEvent> {
		let previous: MachineLikeSnapshot | null = isMachineLike(current) ? current : null;
		let taken: AnyTransitionDefinition[] = [];
		return {
			next: (inspection) => {
				// Only the root actor: invoked children (the socket) have their own snapshots.
				if (inspection.actorRef.sessionId !== inspection.rootId) return;
				if (inspection.type === '@xstate.microstep') taken.push(...inspection._transitions);
				if (inspection.type !== '@xstate.snapshot') return;
				const snapshot = inspection.snapshot;
				if (!isMachineLike(snapshot)) return;
				if (snapshot.status === 'active' || snapshot.status === undefined) {
					const entry = describeStep(previous, snapshot, inspection.event, taken, this.#now);
					if (entry) this.record(entry);
				}
				previous = snapshot;
				taken = [];
			}
		};
	}
}

/** The log entry for one macrostep, or null when it changed no state. */
export function describeStep(
	previous: MachineLikeSnapshot | null,
	snapshot: MachineLikeSnapshot,
	event: AnyEventObject,
	taken: readonly AnyTransitionDefinition[],
	now: () => number
): Omit<EventLogEntry, 'seq'> | null {
	const to = stateLabel(snapshot.value);
	const from = previous ? stateLabel(previous.value) : '';
	const label = eventLabel(event.type, taken);
	if (event.type === 'xstate.init') {
		return {
			at: now(),
			event: event.type,
			label: 'start',
			from,
			to,
			reason: { kind: 'start', text: 'actor started' }
		};
	}
	// A user event that moved the machine is worth a row even when it lands where it was.
	const moved = from !== to || (isUserEvent(event.type) && taken.some(leavesSource));
	if (!moved) return null;
	const why = freshWhy(previous, snapshot);
	const reason = why
		? reasonFor(typeof why.event === 'string' ? why.event : event.type, why, taken)
		: reasonFor(event.type, { code: event.code, reason: event.reason }, taken);
	const at = why && typeof why.at === 'number' ? why.at : now();
	return { at, event: event.type, label, from, to, reason };
}

function isMachineLike(snapshot: unknown): snapshot is MachineLikeSnapshot {
	return !!snapshot && typeof snapshot === 'object' && 'value' in snapshot;
}

/** `context.why` when this step set it (a new object), else null so a stale one is never shown. */
function freshWhy(previous: MachineLikeSnapshot | null, snapshot: MachineLikeSnapshot): Why | null {
	const why = readWhy(snapshot.context);
	if (!why) return null;
	return previous && readWhy(previous.context) === why ? null : why;
}

function readWhy(context: unknown): Why | null {
	if (!context || typeof context !== 'object' || !('why' in context)) return null;
	const why = (context as { why: unknown }).why;
	return why && typeof why === 'object' ? (why as Why) : null;
}

/** Classifies why a transition happened from its event type and, if any, its close code. */
export function reasonFor(
	eventType: string,
	details: { code?: unknown; reason?: unknown },
	taken: readonly AnyTransitionDefinition[] = []
): EventReason {
	const reason = typeof details.reason === 'string' ? details.reason : undefined;
	if (typeof details.code === 'number') {
		const text = reason ? `${details.code} ${reason}` : String(details.code);
		return { kind: 'close', text, code: details.code, ...(reason ? { reason } : {}) };
	}
	if (eventType.startsWith('xstate.after.') || eventType.startsWith('after.')) {
		return { kind: 'timeout', text: reason ?? eventLabel(eventType, taken) };
	}
	if (isUserEvent(eventType)) return { kind: 'user', text: 'user' };
	if (eventType === 'socket.error') return { kind: 'error', text: 'socket error' };
	if (eventType.startsWith('browser.')) {
		return { kind: 'browser', text: `browser ${eventType.slice('browser.'.length)}` };
	}
	if (eventType.startsWith('socket.')) return { kind: 'socket', text: eventType };
	return { kind: 'internal', text: reason ?? eventType };
}

/** User events are the upper-case ones (`CONNECT`, `RETRY`), by the machine's convention. */
const isUserEvent = (eventType: string): boolean => /^[A-Z][A-Z0-9_]*$/.test(eventType);

/** `after <delay>` for delayed events (named delays keep their name), else the event type. */
export function eventLabel(
	eventType: string,
	taken: readonly AnyTransitionDefinition[] = []
): string {
	// The machine's own `why.event` spells after-events `after.<delay>`.
	if (eventType.startsWith('after.')) return `after ${eventType.slice('after.'.length)}`;
	if (!eventType.startsWith('xstate.after.')) return eventType;
	const delayed = taken.find((t) => t.eventType === eventType && 'delay' in t);
	const delay: unknown = delayed && 'delay' in delayed ? delayed.delay : undefined;
	if (typeof delay === 'number') return `after ${delay} ms`;
	if (typeof delay === 'string') return `after ${delay}`;
	// xstate names these `xstate.after.<delay>.<state id>`.
	const name = eventType.slice('xstate.after.'.length).split('.')[0] ?? '';
	return /^\d+$/.test(name) ? `after ${name} ms` : `after ${name}`;
}

/** The active leaf state names of a state value (`{ live: 'open' }` -> `open`). */
export function stateLabel(value: StateValue): string {
	if (typeof value === 'string') return value;
	return Object.entries(value)
		.map(([key, child]) => (child === undefined ? key : stateLabel(child)))
		.join(', ');
}
