/**
 * What the page reads of a connection actor, and the reactive view it draws from. Two things
 * satisfy `ConnectionReader`: the real actor (in the tab that holds the connection) and a mirror
 * of it (in the other tabs of the same client id, `$lib/tabs/mirror-actor`). The page, the badge
 * and the inspector read either through `ConnectionView`, so they render purely from a machine
 * snapshot in every tab, and keep no copy of their own.
 */
import type { AnyActor, InspectionEvent, Subscription } from 'xstate';
import {
	connectionMachine,
	connectionStateName,
	type ConnectionSnapshot,
	type ConnectionStateName
} from '$machines/connection';
import { selectFrom, shallowEqual, type Selected } from '$lib/actor-selector';
import type { BadgeInput } from './badge';

/** The user's commands, the only events a reader takes from the page. */
export type ConnectionCommand = { type: 'CONNECT' } | { type: 'DISCONNECT' } | { type: 'RETRY' };
export const CONNECTION_COMMANDS = ['CONNECT', 'DISCONNECT', 'RETRY'] as const;

type SnapshotObserver =
	((snapshot: ConnectionSnapshot) => void) | { next?: (snapshot: ConnectionSnapshot) => void };

/** A connection actor as the page reads it: its snapshot, its changes, the user's commands. */
export interface ConnectionReader {
	readonly sessionId: string;
	readonly logic: typeof connectionMachine;
	readonly system: {
		inspect(observer: (event: InspectionEvent) => void): Subscription;
	};
	getSnapshot(): ConnectionSnapshot;
	subscribe(observer: SnapshotObserver): Subscription;
	send(event: ConnectionCommand): void;
}

/**
 * The reader as the inspector takes it. The inspector reads only what a reader offers (snapshot,
 * changes, logic, session id, inspection stream, the user's commands), so a mirror serves it as
 * well as the actor; the cast stays here, in one place.
 */
export function inspectable(reader: ConnectionReader): AnyActor {
	return reader as unknown as AnyActor;
}

/** Which of the user's commands the machine takes in its current state. */
export type ConnectionControls = { connect: boolean; disconnect: boolean; retry: boolean };

export class ConnectionView {
	readonly actor: ConnectionReader;
	readonly #state: Selected<ConnectionStateName>;
	readonly #attempt: Selected<number>;
	readonly #clientId: Selected<string | null>;
	readonly #badge: Selected<BadgeInput>;
	readonly #controls: Selected<ConnectionControls>;

	constructor(actor: ConnectionReader) {
		this.actor = actor;
		this.#state = selectFrom(actor, connectionStateName);
		this.#attempt = selectFrom(actor, (snapshot) => snapshot.context.attempt);
		this.#clientId = selectFrom(actor, (snapshot) => snapshot.context.clientId);
		this.#badge = selectFrom(actor, badgeInput, shallowEqual);
		this.#controls = selectFrom(actor, controls, shallowEqual);
	}

	/** The machine's snapshot now (not reactive: for event handlers and tests). */
	get snapshot(): ConnectionSnapshot {
		return this.actor.getSnapshot();
	}

	/** The leaf state's name (idle, connecting, open, stale, backingOff, failed); reactive. */
	get state(): ConnectionStateName {
		return this.#state.current;
	}

	/** The reconnect attempt (`n of 10`); reactive. */
	get attempt(): number {
		return this.#attempt.current;
	}

	/** The id the server confirmed, null until it has; reactive. */
	get clientId(): string | null {
		return this.#clientId.current;
	}

	/** What the badge is drawn from; reactive. */
	get badge(): BadgeInput {
		return this.#badge.current;
	}

	/** Which buttons show (from `snapshot.can(...)`); reactive. */
	get controls(): ConnectionControls {
		return this.#controls.current;
	}

	/** Open or stale: a message sent now goes out on the socket. */
	get canSend(): boolean {
		const state = this.state;
		return state === 'open' || state === 'stale';
	}

	connect(): void {
		this.actor.send({ type: 'CONNECT' });
	}

	disconnect(): void {
		this.actor.send({ type: 'DISCONNECT' });
	}

	retry(): void {
		this.actor.send({ type: 'RETRY' });
	}
}

function badgeInput(snapshot: ConnectionSnapshot): BadgeInput {
	const { context } = snapshot;
	return {
		state: connectionStateName(snapshot),
		attempt: context.attempt,
		maxAttempts: context.config.maxReconnectAttempts,
		retryAt: context.retryAt,
		lastClose: context.lastClose,
		why: context.why,
		online: context.online
	};
}

function controls(snapshot: ConnectionSnapshot): ConnectionControls {
	return {
		connect: snapshot.can({ type: 'CONNECT' }),
		disconnect: snapshot.can({ type: 'DISCONNECT' }),
		retry: snapshot.can({ type: 'RETRY' })
	};
}
