/**
 * Start options for inspecting the connection actor with Stately's tools (`@statelyai/inspect`):
 * `?inspect` (or the Inspect button) opens Stately's visualizer in a pop-up through
 * `createBrowserInspector`; `?inspect=ws://host:port` streams to a local inspector server.
 * Whatever goes wrong (pop-up blocked, no internet, socket refused, bad URL), the handle reports
 * it in `status`/`error` and the page carries on: nothing here throws.
 */
import { createBrowserInspector, createInspector } from '@statelyai/inspect';
import type { AnyActorRef, InspectionEvent, Observer } from 'xstate';
import { WebSocketInspectorAdapter, type WebSocketConstructor } from './stately-ws-adapter';

import type { InspectorRequest } from './inspector-request';

// The light half lives apart so the page can read `?inspect` without loading Stately's code.
export {
	combineInspect,
	inspectorRequestFromUrl,
	type InspectorRequest
} from './inspector-request';

/**
 * - `starting`: opened, waiting for the inspector to answer
 * - `open`: the inspector is receiving events
 * - `blocked`: the browser blocked the pop-up
 * - `unreachable`: the inspector did not answer or its socket closed (it keeps trying)
 * - `failed`: it could not be started at all
 * - `stopped`: `stop()` was called
 */
export type InspectorStatus =
	'starting' | 'open' | 'blocked' | 'unreachable' | 'failed' | 'stopped';

export interface InspectorState {
	status: InspectorStatus;
	error: string | null;
}

export interface InspectorHandle {
	readonly request: InspectorRequest;
	/** Pass to `createActor(machine, { inspect })`; undefined when the inspector failed to start. */
	readonly inspect: Observer<InspectionEvent> | undefined;
	readonly status: InspectorStatus;
	readonly error: string | null;
	/** Calls `listener` now and on every status change; returns the unsubscribe. */
	subscribe(listener: (state: InspectorState) => void): () => void;
	/** Inspects an actor that is already running (the Inspect button); returns the detach. */
	attach(actor: AnyActorRef): () => void;
	stop(): void;
}

export interface InspectorOptions {
	/** The window to open the pop-up from (default: the global one). */
	window?: Window;
	/** Show Stately's visualizer in this iframe instead of a pop-up. */
	iframe?: HTMLIFrameElement;
	/** How long the browser inspector may take to say hello before it counts as unreachable. */
	answerTimeoutMs?: number;
	/** WebSocket implementation for the socket inspector (default: the global one). */
	WebSocket?: WebSocketConstructor;
}

const DEFAULT_ANSWER_TIMEOUT_MS = 15_000;

/** Starts the requested inspector and returns its handle; never throws. */
export function startInspector(
	request: InspectorRequest,
	options: InspectorOptions = {}
): InspectorHandle {
	const state = createStateCell({ status: 'starting', error: null });
	let started: { inspect: Observer<InspectionEvent>; inspector: InspectorLike; stop: () => void };
	try {
		started =
			request.mode === 'browser'
				? startBrowser(options, state.set)
				: startWebSocket(request.url, options, state.set);
	} catch (err) {
		state.set({ status: 'failed', error: `The inspector could not start: ${messageOf(err)}` });
		return handle(
			request,
			undefined,
			state,
			() => () => {},
			() => {}
		);
	}
	const attach = (actor: AnyActorRef): (() => void) => {
		try {
			const snapshot: unknown = actor.getSnapshot();
			started.inspector.actor(actor, inspectable(snapshot));
			const subscription = actor.system.inspect(started.inspect);
			return () => subscription.unsubscribe();
		} catch (err) {
			state.set({ status: 'failed', error: `The inspector could not attach: ${messageOf(err)}` });
			return () => {};
		}
	};
	const stop = () => {
		started.stop();
		state.set({ status: 'stopped', error: null });
	};
	return handle(request, started.inspect, state, attach, stop);
}

type InspectorLike = Pick<ReturnType<typeof createInspector>, 'actor' | 'inspect' | 'stop'>;

function startBrowser(options: InspectorOptions, set: (s: InspectorState) => void) {
	const win = options.window ?? (typeof window === 'undefined' ? undefined : window);
	if (!win) throw new Error('there is no browser window here');
	const inspector = createBrowserInspector({ window: win, iframe: options.iframe ?? null });
	if (!options.iframe && !inspector.adapter.targetWindow) {
		set({
			status: 'blocked',
			error: 'The browser blocked the inspector pop-up. Allow pop-ups here, or press Inspect.'
		});
	}
	// Stately's page says hello with a message once it runs; without one it never loaded.
	const onMessage = (event: MessageEvent) => {
		const data: unknown = event.data;
		if (
			data &&
			typeof data === 'object' &&
			(data as { type?: unknown }).type === '@statelyai.connected'
		) {
			clearTimeout(timer);
			set({ status: 'open', error: null });
		}
	};
	win.addEventListener('message', onMessage);
	const timer = setTimeout(() => {
		if (inspector.adapter.targetWindow === null && !options.iframe) return;
		set({
			status: 'unreachable',
			error: "Stately's inspector did not answer (no internet?). The page carries on without it."
		});
	}, options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS);
	return {
		inspect: inspector.inspect,
		inspector,
		stop: () => {
			clearTimeout(timer);
			win.removeEventListener('message', onMessage);
			inspector.stop();
		}
	};
}

function startWebSocket(url: string, options: InspectorOptions, set: (s: InspectorState) => void) {
	const Impl = options.WebSocket ?? (typeof WebSocket === 'undefined' ? undefined : WebSocket);
	if (!Impl) throw new Error('this environment has no WebSocket');
	// createWebSocketInspector hides whether its socket is open and throws on a bad URL, so the
	// same inspector core gets an adapter that reports its status.
	const adapter = new WebSocketInspectorAdapter(url, Impl, (status, error) =>
		set({ status, error })
	);
	const inspector = createInspector(adapter);
	inspector.start();
	return { inspect: inspector.inspect, inspector, stop: () => inspector.stop() };
}

/** The part of a snapshot the inspector shows (the full one drags the machine along). */
function inspectable(snapshot: unknown) {
	const s = (snapshot ?? {}) as {
		status?: 'active';
		context?: unknown;
		value?: unknown;
		output?: unknown;
	};
	return { status: s.status, context: s.context, value: s.value, output: s.output };
}

function createStateCell(initial: InspectorState) {
	let current = initial;
	const listeners = new Set<(s: InspectorState) => void>();
	return {
		get: () => current,
		set: (next: InspectorState) => {
			current = next;
			listeners.forEach((l) => l(current));
		},
		listen: (l: (s: InspectorState) => void) => {
			listeners.add(l);
			l(current);
			return () => void listeners.delete(l);
		}
	};
}

function handle(
	request: InspectorRequest,
	inspect: Observer<InspectionEvent> | undefined,
	state: ReturnType<typeof createStateCell>,
	attach: (actor: AnyActorRef) => () => void,
	stop: () => void
): InspectorHandle {
	return {
		request,
		inspect,
		get status() {
			return state.get().status;
		},
		get error() {
			return state.get().error;
		},
		subscribe: state.listen,
		attach,
		stop
	};
}

function messageOf(err: unknown): string {
	return err instanceof Error ? err.message : String(err);
}
