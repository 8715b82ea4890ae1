/**
 * The page's one connection actor, bound to Svelte. The actor is the only owner of connection
 * state: each thing the page shows is one `@xstate/svelte` `useSelector` on it (`selectFrom`), so
 * nothing here keeps a copy, and a transition taken before anything rendered is shown correctly
 * (the stale seed of xstate issue 4941 does not affect `useSelector`).
 *
 * Create it in the browser only (onMount): constructing it starts no socket, `start()` does.
 */
import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import {
	connectionMachine,
	connectionStateName,
	type ConnectionConfig,
	type ConnectionSnapshot,
	type ConnectionStateName
} from '$machines/connection';
import { selectFrom, shallowEqual, type Selected } from '$lib/actor-selector';
import type { CreateSocket } from '$machines/socket';
import type { BadgeInput } from './badge';
import { forwardBrowserEvents, type BrowserEventTarget } from './browser-events';

export interface PageConnectionOptions {
	url: string;
	config?: Partial<ConnectionConfig>;
	inspect?: Observer<InspectionEvent>;
	/** Makes the socket; default the global `WebSocket` (tests pass a fake). */
	createSocket?: CreateSocket;
	/** Wall-clock time in ms; default `Date.now`. */
	now?: () => number;
	/** Where the browser's online/offline/visibility events come from; default `window`. */
	window?: BrowserEventTarget;
}

/** Which of the user's commands the machine takes in its current state. */
export type ConnectionControls = { connect: boolean; disconnect: boolean; retry: boolean };

export class PageConnection {
	readonly actor: Actor<typeof connectionMachine>;
	readonly #state: Selected<ConnectionStateName>;
	readonly #attempt: Selected<number>;
	readonly #clientId: Selected<string | null>;
	readonly #badge: Selected<BadgeInput>;
	readonly #controls: Selected<ConnectionControls>;
	readonly #window: BrowserEventTarget | undefined;
	#stopForwarding: (() => void) | null = null;

	constructor(options: PageConnectionOptions) {
		this.actor = createActor(connectionMachine, {
			input: {
				url: options.url,
				config: options.config,
				createSocket: options.createSocket,
				now: options.now,
				online: typeof navigator === 'undefined' ? true : navigator.onLine
			},
			inspect: options.inspect
		});
		this.#state = selectFrom(this.actor, connectionStateName);
		this.#attempt = selectFrom(this.actor, (snapshot) => snapshot.context.attempt);
		this.#clientId = selectFrom(this.actor, (snapshot) => snapshot.context.clientId);
		this.#badge = selectFrom(this.actor, badgeInput, shallowEqual);
		this.#controls = selectFrom(this.actor, controls, shallowEqual);
		this.#window = options.window;
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

	/** Starts the actor, forwards the browser's events to it and connects (spec rule 1). */
	start(): void {
		this.actor.start();
		this.#stopForwarding = forwardBrowserEvents(
			(event) => this.actor.send(event),
			this.#window ?? window
		);
		this.actor.send({ type: 'CONNECT' });
	}

	/** Disconnects (rule 13) and stops the actor: no socket, timer or listener is left behind. */
	stop(): void {
		this.#stopForwarding?.();
		this.#stopForwarding = null;
		if (this.actor.getSnapshot().can({ type: 'DISCONNECT' })) {
			this.actor.send({ type: 'DISCONNECT' });
		}
		this.actor.stop();
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

	/** Sends a text frame when the socket is open; returns whether it went out. */
	send(data: string): boolean {
		const event = { type: 'SEND', data } as const;
		if (!this.actor.getSnapshot().can(event)) return false;
		this.actor.send(event);
		return true;
	}

	/**
	 * Calls `handler` with every message from the server, parsed once by the socket actor (not yet
	 * validated; undefined for a frame that was not JSON); returns the unsubscribe.
	 */
	onMessage(handler: (message: unknown) => void): () => void {
		const subscription = this.actor.on('message', (event) => handler(event.message));
		return () => subscription.unsubscribe();
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
