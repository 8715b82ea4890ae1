/**
 * The page's one connection actor, bound to Svelte. The actor is the only owner of connection
 * state: `snapshot` reads `actor.getSnapshot()` on every access (subscribed through
 * `createSubscriber`), so it can never go stale the way a store seeded once does (xstate issue
 * 4941), even for transitions taken before anything rendered.
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
import { ActorSnapshot } from '$lib/actor-snapshot.svelte';
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

export class PageConnection {
	readonly actor: Actor<typeof connectionMachine>;
	readonly #live: ActorSnapshot<Actor<typeof connectionMachine>>;
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
		this.#live = new ActorSnapshot(this.actor);
		this.#window = options.window;
	}

	/** The machine's snapshot now; reactive. */
	get snapshot(): ConnectionSnapshot {
		return this.#live.current;
	}

	/** The leaf state's name (idle, connecting, open, stale, backingOff, failed); reactive. */
	get state(): ConnectionStateName {
		return connectionStateName(this.snapshot);
	}

	/** What the badge and buttons are drawn from; reactive. */
	get badge(): BadgeInput {
		const { context } = this.snapshot;
		return {
			state: this.state,
			attempt: context.attempt,
			maxAttempts: context.config.maxReconnectAttempts,
			retryAt: context.retryAt,
			lastClose: context.lastClose,
			why: context.why,
			online: context.online
		};
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

	/** Calls `handler` with every text frame from the server; returns the unsubscribe. */
	onMessage(handler: (data: string) => void): () => void {
		const subscription = this.actor.on('message', (event) => handler(event.data));
		return () => subscription.unsubscribe();
	}
}
