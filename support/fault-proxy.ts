/**
 * A TCP proxy between a client (browser or `ws`) and the server, for tests that need real network
 * faults. Its mode can be switched at any time and applies to every connection, old and new.
 *
 * ```ts
 * import { startFaultProxy } from '../../support/fault-proxy';
 * import { startServerProcess } from '../../support/server-process';
 *
 * const server = await startServerProcess();
 * const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: server.port } });
 * // proxy.url('/healthz') -> 'http://127.0.0.1:40001/healthz'
 * // proxy.wsUrl(id)      -> 'ws://127.0.0.1:40001/ws/<id>'  (give this URL to the client)
 * proxy.setMode('blackhole');            // half-open link: sockets stay open, nothing gets through
 * proxy.setMode('latency', { ms: 200 }); // 200 ms added each way, order kept
 * proxy.setMode('refuse');               // new connections are reset at once; old ones flow
 * proxy.setMode('hold');                 // new connections wait, unanswered, like a sleeping server
 * proxy.setMode('pass');                 // back to normal
 * proxy.reset();                         // one-shot: RST on every current connection (mode unchanged)
 * proxy.connections();                   // client connections currently open through the proxy
 * await proxy.close();                   // stops listening and destroys every socket
 * ```
 *
 * Modes:
 * - `pass`: bytes and closes are forwarded as they come.
 * - `blackhole`: bytes in both directions are dropped (not buffered) and closes are not passed
 *   on, so neither end learns anything; new connections are accepted and held the same way.
 *   Leaving `blackhole` resets every connection that lost bytes or whose other end went away
 *   meanwhile: its byte stream is broken and cannot carry WebSocket frames any more. (A real link
 *   would retransmit; a test that wants the connection to survive should not drop its bytes.)
 * - `refuse`: new connections are reset as soon as they are accepted (the client sees a reset,
 *   like a refused connect); connections already open keep flowing.
 * - `hold`: new connections are accepted and held: what the client sends is kept, nothing goes
 *   upstream and nothing comes back, as when a host holds requests while it wakes a sleeping
 *   server (Render's cold start). Leaving `hold` sends every held connection on to the server,
 *   with what it sent so far; a connection its client gave up on meanwhile is dropped.
 *   Connections already open keep flowing.
 * - `latency`: every chunk and every clean close (FIN) is delivered `ms` later, in order; a
 *   reset is passed on at once. Switching the delay, or back to `pass`, never reorders bytes that
 *   are still on their way.
 *
 * To stop, `kill -9` or restart the server, use `startServerProcess` (./server-process): the
 * proxy keeps its port, and upstream connects go to the target again on each new connection.
 *
 * Several servers (a load balancer in front of instances that share a store): give `targets`
 * instead of `target`. Each new connection goes to the next target in turn (round robin); a
 * target that refuses the connect (a dead instance) is skipped for the next one, and only when
 * every target refuses is the client reset. `connectionsTo(i)` counts the open connections that
 * went to `targets[i]`.
 *
 * ```ts
 * const proxy = await startFaultProxy({ targets: [a, b].map((s) => ({ host: '127.0.0.1', port: s.port })) });
 * ```
 */
import net from 'node:net';

export type FaultMode = 'pass' | 'blackhole' | 'refuse' | 'hold' | 'latency';

export interface ProxyTarget {
	host: string;
	port: number;
}

export type FaultProxyOptions = (
	| { /** Where connections go: the server. */ target: ProxyTarget; targets?: never }
	| {
			/** Servers taking new connections in turn; a refusing one is skipped. */ targets: ProxyTarget[];
			target?: never;
	  }
) & {
	/** Port to listen on; 0 or omitted picks a free one. */
	port?: number;
	/** Interface; 127.0.0.1 by default. */
	host?: string;
};

export interface FaultProxy {
	readonly port: number;
	readonly host: string;
	/** The current mode. */
	readonly mode: FaultMode;
	/** The delay of `latency` mode in ms (0 in every other mode). */
	readonly latencyMs: number;
	/** `http://host:port` + path. */
	url(path?: string): string;
	/** `ws://host:port/ws/<clientId>`. */
	wsUrl(clientId: string): string;
	setMode(mode: 'latency', options: { ms: number }): void;
	setMode(mode: Exclude<FaultMode, 'latency'>): void;
	/** Resets (RST) both sides of every current connection; returns how many. Mode unchanged. */
	reset(): number;
	/** Client connections currently open through the proxy. */
	connections(): number;
	/** Client connections currently open through the proxy to `targets[index]` (0: `target`). */
	connectionsTo(index: number): number;
	/** Client connections held by `hold` now (their clients still waiting). */
	held(): number;
	/** Stops listening and destroys every socket. Safe to call twice. */
	close(): Promise<void>;
}

/** What the links ask of the proxy: the mode, read at the moment bytes arrive or leave. */
interface ModeSource {
	readonly mode: FaultMode;
	readonly latencyMs: number;
}

type Item = { at: number; data: Buffer | null }; // null: the end (FIN) of the stream

/** One direction of a connection: bytes from `from` to `to`, delayed or dropped by the mode. */
class Link {
	/** Bytes or an end dropped by the blackhole. */
	lost = false;
	/** `from` ended; forwarded as an end unless it was lost. */
	ended = false;
	readonly #queue: Item[] = [];
	#timer: ReturnType<typeof setTimeout> | undefined;
	#waiting = false;

	constructor(
		readonly from: net.Socket,
		readonly to: net.Socket,
		readonly modes: ModeSource
	) {
		from.on('data', (data: Buffer) => this.#take(data));
		from.on('end', () => {
			this.ended = true;
			this.#take(null);
		});
	}

	#take(data: Buffer | null): void {
		if (this.modes.mode === 'blackhole') {
			this.lost = true;
			return;
		}
		const delay = this.modes.mode === 'latency' ? this.modes.latencyMs : 0;
		const last = this.#queue.at(-1)?.at ?? 0;
		if (delay === 0 && this.#queue.length === 0) return this.#deliver(data);
		this.#queue.push({ at: Math.max(Date.now() + delay, last), data });
		this.#schedule();
	}

	#schedule(): void {
		const head = this.#queue[0];
		if (this.#timer || !head) return;
		this.#timer = setTimeout(() => this.#drain(), Math.max(0, head.at - Date.now()));
	}

	#drain(): void {
		this.#timer = undefined;
		while (this.#queue[0] && this.#queue[0].at <= Date.now()) {
			const { data } = this.#queue.shift() as Item;
			// Still on its way when the link went dark: lost like everything else.
			if (this.modes.mode === 'blackhole') this.lost = true;
			else this.#deliver(data);
		}
		this.#schedule();
	}

	#deliver(data: Buffer | null): void {
		if (this.to.destroyed) return;
		if (data === null) {
			this.to.end();
			return;
		}
		// Backpressure: a slow reader slows the writer, as it would without the proxy.
		if (!this.to.write(data) && !this.#waiting) {
			this.#waiting = true;
			this.from.pause();
			this.to.once('drain', () => {
				this.#waiting = false;
				this.from.resume();
			});
		}
	}

	/** Cancels delivery of anything still queued. */
	stop(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		this.#queue.length = 0;
	}
}

/** Destroys a socket with a TCP RST (once connected, if it is still connecting). */
function resetSocket(socket: net.Socket): void {
	if (!socket.destroyed) socket.resetAndDestroy();
}

/** A client socket, its upstream socket, and the two directions between them. */
class Pair {
	readonly up: Link;
	readonly down: Link;

	constructor(
		readonly client: net.Socket,
		readonly server: net.Socket,
		modes: ModeSource,
		onGone: (pair: Pair) => void,
		/** Index of the target the server socket went to. */
		readonly target = 0
	) {
		this.up = new Link(client, server, modes);
		this.down = new Link(server, client, modes);
		for (const [socket, other] of [
			[client, server],
			[server, client]
		] as const) {
			socket.on('error', () => {
				// A reset on one side is passed on as a reset, unless the link is dark.
				if (modes.mode !== 'blackhole') resetSocket(other);
			});
			socket.on('close', () => {
				if (modes.mode !== 'blackhole' && !other.destroyed && !this.#endQueued(socket)) {
					other.destroy();
				}
				if (client.destroyed && server.destroyed) {
					this.stop();
					onGone(this);
				}
			});
		}
	}

	/** Whether `socket` ended cleanly and its end is (or was) forwarded in order with its bytes. */
	#endQueued(socket: net.Socket): boolean {
		const link = socket === this.client ? this.up : this.down;
		return link.ended && !link.lost;
	}

	/** Whether the pair cannot go on after a blackhole: bytes lost, or one end gone. */
	get broken(): boolean {
		return this.up.lost || this.down.lost || this.client.destroyed || this.server.destroyed;
	}

	reset(): void {
		this.stop();
		resetSocket(this.client);
		resetSocket(this.server);
	}

	stop(): void {
		this.up.stop();
		this.down.stop();
	}
}

/** Starts the proxy; resolves once it listens. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
	const host = options.host ?? '127.0.0.1';
	const pairs = new Set<Pair>();
	const state: { mode: FaultMode; latencyMs: number } = { mode: 'pass', latencyMs: 0 };
	let closing: Promise<void> | undefined;

	/** Held clients and what each has sent so far; `release` ends the hold of every one. */
	const held = new Map<net.Socket, { chunks: Buffer[]; release: () => void }>();

	const targets = options.targets ?? [options.target];
	if (targets.length === 0) throw new RangeError('fault proxy: targets must not be empty');
	/** The target the next new connection tries first (round robin). */
	let nextTarget = 0;
	/** Upstream sockets still connecting to a target that may refuse (closed with the proxy). */
	const dialing = new Set<net.Socket>();

	const pairUp = (client: net.Socket, server: net.Socket, target: number, sent: Buffer[]) => {
		if (sent.length > 0) server.write(Buffer.concat(sent)); // queued until connected, in order
		const pair = new Pair(client, server, state, (gone) => pairs.delete(gone), target);
		pairs.add(pair);
		if (server.connecting) server.once('connect', () => client.resume());
		else client.resume();
	};

	/**
	 * Connects a client to the next target; `sent` is what it sent while held. While other targets
	 * are left to try, a target that fails the connect is skipped; the last one is paired at once,
	 * so its failure reaches the client as a reset, as with one server.
	 */
	const connectUpstream = (client: net.Socket, sent: Buffer[] = [], tries = targets.length) => {
		client.pause(); // until upstream is connected, so no byte is read before there is a pair
		const target = nextTarget;
		nextTarget = (nextTarget + 1) % targets.length;
		const server = net.connect({ ...(targets[target] as ProxyTarget), allowHalfOpen: true });
		if (tries <= 1) return pairUp(client, server, target, sent);
		dialing.add(server);
		client.on('error', () => {}); // a client gone while dialing is noticed once connected
		const refused = () => {
			dialing.delete(server);
			server.destroy();
			if (client.destroyed || closing) return;
			connectUpstream(client, sent, tries - 1);
		};
		server.once('error', refused);
		server.once('connect', () => {
			dialing.delete(server);
			server.off('error', refused);
			if (client.destroyed || closing) server.destroy();
			else pairUp(client, server, target, sent);
		});
	};

	const hold = (client: net.Socket): void => {
		const chunks: Buffer[] = [];
		const onData = (data: Buffer) => chunks.push(data);
		const drop = () => {
			held.delete(client);
			client.destroy();
		};
		client.on('error', () => {});
		client.on('data', onData);
		client.once('end', drop); // the client gave up waiting
		client.once('close', drop);
		held.set(client, {
			chunks,
			release: () => {
				client.off('data', onData);
				client.off('end', drop);
				client.off('close', drop);
				held.delete(client);
				connectUpstream(client, chunks);
			}
		});
	};

	const listener = net.createServer({ allowHalfOpen: true }, (client) => {
		if (state.mode === 'refuse' || closing) {
			client.on('error', () => {});
			client.resetAndDestroy();
			return;
		}
		if (state.mode === 'hold') return hold(client);
		connectUpstream(client);
	});
	await new Promise<void>((resolve, reject) => {
		listener.once('error', reject);
		listener.listen(options.port ?? 0, host, () => {
			listener.off('error', reject);
			resolve();
		});
	});
	const port = (listener.address() as net.AddressInfo).port;

	const setMode = (mode: FaultMode, modeOptions?: { ms: number }): void => {
		const ms = modeOptions?.ms ?? 0;
		if (mode === 'latency' && !(Number.isFinite(ms) && ms >= 0)) {
			throw new RangeError(`fault proxy: latency must be a number of ms >= 0, got ${ms}`);
		}
		const leavingBlackhole = state.mode === 'blackhole' && mode !== 'blackhole';
		const leavingHold = state.mode === 'hold' && mode !== 'hold';
		state.mode = mode;
		state.latencyMs = mode === 'latency' ? ms : 0;
		if (leavingBlackhole) for (const pair of [...pairs]) if (pair.broken) pair.reset();
		if (leavingHold && mode !== 'refuse') for (const { release } of [...held.values()]) release();
		if (leavingHold && mode === 'refuse')
			for (const client of [...held.keys()]) client.resetAndDestroy();
	};

	return {
		port,
		host,
		get mode() {
			return state.mode;
		},
		get latencyMs() {
			return state.latencyMs;
		},
		url: (path = '') => `http://${host}:${port}${path}`,
		wsUrl: (clientId) => `ws://${host}:${port}/ws/${encodeURIComponent(clientId)}`,
		setMode,
		reset() {
			const current = [...pairs];
			for (const pair of current) pair.reset();
			return current.length;
		},
		connections: () => [...pairs].filter((pair) => !pair.client.destroyed).length,
		connectionsTo: (index) =>
			[...pairs].filter((pair) => pair.target === index && !pair.client.destroyed).length,
		held: () => held.size,
		close() {
			closing ??= new Promise<void>((resolve) => {
				listener.close(() => resolve());
				for (const client of held.keys()) client.destroy();
				held.clear();
				for (const server of dialing) server.destroy();
				dialing.clear();
				for (const pair of pairs) {
					pair.stop();
					pair.client.destroy();
					pair.server.destroy();
				}
				pairs.clear();
			});
			return closing;
		}
	};
}
