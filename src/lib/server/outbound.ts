/**
 * Sending to one socket without letting a client that does not read make the server queue
 * without end: a send that would take the queued bytes past `maxBufferedBytes` terminates the
 * socket instead (a close frame would only queue behind the rest). Replays go through `paced`,
 * which waits for the client to read before it sends more.
 */
import { WebSocket } from 'ws';
import { serialize } from '../protocol/parse';
import type { ServerMessage } from '../protocol/server-messages';
import { metrics } from './metrics';

/** A Buffer holding JSON goes out as a text frame, like a string. */
const TEXT_FRAME = { binary: false } as const;
/** One settled promise for every connection that has not written yet. */
const SETTLED: Promise<void> = Promise.resolve();

export interface OutboundLimits {
	maxBufferedBytes: number;
	/** How long `paced` waits for the client to read before it gives the client up. */
	sendStallTimeoutMs: number;
}

/** Told when a client falls too far behind. */
export interface OutboundOwner {
	/** The socket has been terminated with this much queued. */
	overflowed(bufferedBytes: number): void;
}

export class Outbound {
	readonly #ws: WebSocket;
	readonly #limits: OutboundLimits;
	readonly #owner: OutboundOwner;
	/** Settles once the last frame handed to ws has been written to the TCP socket. */
	#lastWrite: Promise<void> = SETTLED;

	constructor(ws: WebSocket, limits: OutboundLimits, owner: OutboundOwner) {
		this.#ws = ws;
		this.#limits = limits;
		this.#owner = owner;
	}

	/** Sends now; false when the socket is not open or the client is too far behind. */
	send(message: ServerMessage): boolean {
		const data = serialize(message);
		if (!this.#fits(Buffer.byteLength(data))) return false;
		const ws = this.#ws;
		const write: Promise<void> = new Promise((resolve) =>
			ws.send(data, () => {
				resolve();
				// Written: an idle connection keeps the shared settled promise, not one of its own.
				if (this.#lastWrite === write) this.#lastWrite = SETTLED;
			})
		);
		this.#lastWrite = write;
		metrics.messagesOut.inc({ type: message.type });
		return true;
	}

	/**
	 * Sends a message serialized once for many sockets (the keepalive ping) as a text frame. It
	 * is not waited for by `paced`: it is small, and the writes before it settle first.
	 */
	sendSerialized(frame: Buffer): boolean {
		if (!this.#fits(frame.length)) return false;
		this.#ws.send(frame, TEXT_FRAME);
		return true;
	}

	/** Whether `size` more bytes may be queued; terminates a client too far behind. */
	#fits(size: number): boolean {
		const ws = this.#ws;
		if (ws.readyState !== WebSocket.OPEN) return false;
		const queued = ws.bufferedAmount;
		if (queued + size <= this.#limits.maxBufferedBytes) return true;
		ws.terminate();
		this.#owner.overflowed(queued);
		return false;
	}

	/** Sends once less than half the budget is queued; gives the client up if it stops reading. */
	async paced(message: ServerMessage): Promise<boolean> {
		if (this.#ws.bufferedAmount > this.#limits.maxBufferedBytes / 2) {
			const drained = await withTimeout(this.#lastWrite, this.#limits.sendStallTimeoutMs);
			if (this.#ws.readyState !== WebSocket.OPEN) return false;
			if (!drained) {
				const queued = this.#ws.bufferedAmount;
				this.#ws.terminate();
				this.#owner.overflowed(queued);
				return false;
			}
		}
		return this.send(message);
	}
}

/** True when `promise` settles within `ms`, false otherwise. */
async function withTimeout(promise: Promise<void>, ms: number): Promise<boolean> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<boolean>((resolve) => {
		timer = setTimeout(() => resolve(false), ms);
	});
	try {
		return await Promise.race([promise.then(() => true), timeout]);
	} finally {
		clearTimeout(timer);
	}
}
