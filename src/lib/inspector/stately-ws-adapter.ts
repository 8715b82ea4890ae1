/**
 * An `@statelyai/inspect` adapter that streams inspection events to a WebSocket inspector server,
 * like the library's own `createWebSocketInspector`, but reports whether the socket is open, never
 * throws on a bad URL, and keeps trying a refused server every few seconds (so an inspector
 * started after the page still gets the events, the buffered ones first).
 */
import type { StatelyInspectionEvent } from '@statelyai/inspect';

/** The slice of the WebSocket API the adapter uses (the browser's, or `ws` in Node tests). */
export interface InspectorSocket {
	readonly readyState: number;
	// `never`: the adapter never reads these events, so any socket's event type fits.
	onopen: ((event: never) => void) | null;
	onclose: ((event: never) => void) | null;
	onerror: ((event: never) => void) | null;
	send(data: string): void;
	close(code?: number): void;
}
export type WebSocketConstructor = new (url: string) => InspectorSocket;

export type AdapterStatus = 'starting' | 'open' | 'unreachable' | 'failed' | 'stopped';

const OPEN = 1;
const MAX_BUFFERED = 200;
const RETRY_MS = 5_000;

export class WebSocketInspectorAdapter {
	#socket: InspectorSocket | null = null;
	#buffer: StatelyInspectionEvent[] = [];
	#retry: ReturnType<typeof setTimeout> | undefined;
	#stopped = false;

	constructor(
		readonly url: string,
		private readonly Impl: WebSocketConstructor,
		private readonly report: (status: AdapterStatus, error: string | null) => void
	) {}

	start(): void {
		this.#stopped = false;
		let socket: InspectorSocket;
		try {
			socket = new this.Impl(this.url);
		} catch (err) {
			this.report(
				'failed',
				`Bad inspector address ${this.url}: ${err instanceof Error ? err.message : err}`
			);
			return;
		}
		this.#socket = socket;
		socket.onopen = () => {
			this.report('open', null);
			const pending = this.#buffer;
			this.#buffer = [];
			pending.forEach((event) => this.send(event));
		};
		socket.onerror = () => {
			this.report('unreachable', `The inspector at ${this.url} does not answer; retrying.`);
		};
		socket.onclose = () => {
			if (this.#socket !== socket || this.#stopped) return;
			this.#socket = null;
			this.report('unreachable', `The inspector at ${this.url} closed the connection; retrying.`);
			this.#retry = setTimeout(() => this.start(), RETRY_MS);
		};
	}

	stop(): void {
		this.#stopped = true;
		clearTimeout(this.#retry);
		const socket = this.#socket;
		this.#socket = null;
		if (socket) {
			socket.onopen = socket.onclose = socket.onerror = null;
			socket.close();
		}
		this.report('stopped', null);
	}

	send(event: StatelyInspectionEvent): void {
		if (this.#socket?.readyState === OPEN) {
			this.#socket.send(safeJson(event));
			return;
		}
		this.#buffer.push(event);
		if (this.#buffer.length > MAX_BUFFERED) this.#buffer.shift();
	}
}

/** JSON that survives cycles and functions (events may carry anything the app put in them). */
export function safeJson(value: unknown): string {
	const ancestors: unknown[] = [];
	return JSON.stringify(value, function (this: unknown, _key: string, v: unknown) {
		if (typeof v === 'function') return { type: v.name || 'function' };
		if (typeof v === 'bigint') return v.toString();
		if (!v || typeof v !== 'object') return v;
		// `this` is the object holding v: drop the ancestors that are not on its path.
		while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
		if (ancestors.includes(v)) return '[Circular]';
		ancestors.push(v);
		return v;
	});
}
