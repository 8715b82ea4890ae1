/**
 * Worker process (see ./fleet.ts) running real connection machines (machines/connection.ts),
 * one actor per client, each with a `ws` socket bound to the worker's loopback address, and
 * `resume` sent after `connected` as the page does. It records, per actor, when it is `open`
 * again after a mark. Commands: start, mark, progress, collect, stopAll.
 */
import WebSocket from 'ws';
import { createActor, type Actor } from 'xstate';
import {
	connectionMachine,
	connectionStateName,
	CONNECTION_STATE_NAMES,
	type ConnectionStateName
} from '../machines/connection';
import { serveCommands } from './worker-rpc';

export interface StartArgs {
	baseUrl: string;
	localAddress: string;
	/** The actors' client ids: `<idPrefix><first + i>`. */
	idPrefix: string;
	first: number;
	count: number;
	jitter: number;
	/** Actors connecting at once during the initial ramp. */
	concurrency: number;
	timeoutMs: number;
}

export interface Progress {
	/** Actors per state name. */
	states: Record<ConnectionStateName, number>;
	/** Actors open again since the mark. */
	reopened: number;
}

/** The `resume` the page sends, with the token the actor's id was given when it claimed it. */
function resumeFrame(token: string | undefined): string {
	return JSON.stringify({ type: 'resume', lastSeq: 0, ...(token ? { token } : {}) });
}

let actors: Actor<typeof connectionMachine>[] = [];
let states: ConnectionStateName[] = [];
/** Wall-clock time (Date.now) each actor was first open after the mark; NaN before. */
let reopenedAt = new Float64Array(0);
let marked = false;
let reopened = 0;
/**
 * Connection attempts that failed (connecting -> not open) since the mark: refused (nothing
 * listening: the server was down), and the rest, which reached a listening server.
 */
let refused = 0;
let failedHandshakes = 0;
/** Close code and reason of those failed attempts, counted. */
let failedWhy = new Map<string, number>();

/** Creates the actors and connects them, `concurrency` at a time; resolves when all are open. */
function start(args: StartArgs): Promise<Progress> {
	const { count } = args;
	states = new Array<ConnectionStateName>(count).fill('idle');
	reopenedAt = new Float64Array(count).fill(Number.NaN);
	marked = false;
	reopened = 0;
	/** Per actor, what `ws` said when its last socket failed (the machine only sees 1006). */
	const socketErrors: (string | undefined)[] = new Array<string | undefined>(count);
	const socketFactory = (i: number) => (url: string) => {
		const socket = new WebSocket(url, {
			localAddress: args.localAddress,
			perMessageDeflate: false
		});
		socketErrors[i] = undefined;
		socket.on('error', (error: NodeJS.ErrnoException) => {
			socketErrors[i] = error.code ?? error.message;
		});
		return socket;
	};
	let next = 0;
	let open = 0;
	return new Promise((resolve) => {
		const timer = setTimeout(() => resolve(progress()), args.timeoutMs);
		const launch = () => actors[next++]?.send({ type: 'CONNECT' });
		const tokens: (string | undefined)[] = new Array<string | undefined>(count);
		actors = Array.from({ length: count }, (_, i) => {
			const actor = createActor(connectionMachine, {
				input: {
					url: `${args.baseUrl}${args.idPrefix}${args.first + i}`,
					config: { jitter: args.jitter },
					createSocket: socketFactory(i)
				}
			});
			// The machine emits each frame parsed once (unknown: the app validates it).
			actor.on('message', ({ message }) => {
				const frame = message as { type?: unknown; token?: string } | undefined;
				if (frame?.type !== 'connected') return;
				tokens[i] ??= frame.token;
				actor.send({ type: 'SEND', data: resumeFrame(tokens[i]) });
			});
			let everOpen = false;
			actor.subscribe((snapshot) => {
				const state = connectionStateName(snapshot);
				const previous = states[i];
				if (state === previous) return;
				states[i] = state;
				if (marked && previous === 'connecting' && state !== 'open') {
					if (socketErrors[i] === 'ECONNREFUSED') refused += 1;
					else failedHandshakes += 1;
					const close = snapshot.context.lastClose;
					const closed = close ? `${close.code} ${close.reason}`.trim() : 'no close';
					const why = socketErrors[i] ? `${closed} (${socketErrors[i]})` : closed;
					failedWhy.set(why, (failedWhy.get(why) ?? 0) + 1);
				}
				if (state !== 'open') return;
				if (marked && Number.isNaN(reopenedAt[i] as number)) {
					reopenedAt[i] = Date.now();
					reopened += 1;
				}
				if (!everOpen) {
					everOpen = true;
					open += 1;
					if (open === count) {
						clearTimeout(timer);
						resolve(progress());
					} else launch();
				}
			});
			return actor.start();
		});
		for (let k = 0; k < Math.min(args.concurrency, count); k += 1) launch();
	});
}

function progress(): Progress {
	const counts = Object.fromEntries(CONNECTION_STATE_NAMES.map((name) => [name, 0])) as Record<
		ConnectionStateName,
		number
	>;
	for (const state of states) counts[state] += 1;
	return { states: counts, reopened };
}

serveCommands({
	start,
	mark() {
		reopenedAt.fill(Number.NaN);
		reopened = 0;
		refused = 0;
		failedHandshakes = 0;
		failedWhy = new Map();
		marked = true;
		return Date.now();
	},
	progress,
	collect: () => ({
		reopenedAt,
		refused,
		failedHandshakes,
		failedWhy: Object.fromEntries(failedWhy),
		...progress()
	}),
	stopAll() {
		for (const actor of actors) {
			actor.send({ type: 'DISCONNECT' });
			actor.stop();
		}
		actors = [];
		return true;
	}
});
