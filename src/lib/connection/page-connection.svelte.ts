/**
 * The page's one connection actor, bound to Svelte. The actor is the only owner of connection
 * state: each thing the page shows is one `@xstate/svelte` `useSelector` on it (`selectFrom`), so
 * nothing here keeps a copy, and a transition taken before anything rendered is shown correctly
 * (the stale seed of xstate issue 4941 does not affect `useSelector`).
 *
 * Create it in the browser only (onMount): constructing it starts no socket, `start()` does.
 */
import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import { connectionMachine, type ConnectionConfig } from '$machines/connection';
import type { CreateSocket } from '$machines/socket';
import { ConnectionView } from './connection-view.svelte';
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

export type { ConnectionControls } from './connection-view.svelte';

export class PageConnection extends ConnectionView {
	declare readonly actor: Actor<typeof connectionMachine>;
	readonly #window: BrowserEventTarget | undefined;
	#stopForwarding: (() => void) | null = null;

	constructor(options: PageConnectionOptions) {
		super(
			createActor(connectionMachine, {
				input: {
					url: options.url,
					config: options.config,
					createSocket: options.createSocket,
					now: options.now,
					online: typeof navigator === 'undefined' ? true : navigator.onLine
				},
				inspect: options.inspect
			})
		);
		this.#window = options.window;
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
