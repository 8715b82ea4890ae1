/**
 * Caps on open TCP connections, total and per remote address, counted from the moment a
 * connection is accepted (before any request or upgrade, so unfinished handshakes count too).
 * Over a cap, the connection is answered `503` and closed at once: a flood from one address
 * cannot hold the server's file descriptors, nor push out everyone else.
 */
import type { Socket } from 'node:net';

export interface ConnectionCaps {
	/** Open connections in all; 0 = no cap. */
	maxConnections: number;
	/** Open connections per remote address; 0 = no cap. */
	maxConnectionsPerIp: number;
}

/** Why a connection was refused, for the log and the 503's text. */
export type RefusedBecause = 'too many connections' | 'too many connections from this address';

export class ConnectionLimits {
	readonly #caps: ConnectionCaps;
	readonly #byAddress = new Map<string, number>();
	#open = 0;
	/** One close listener for every counted socket (`this` is the socket): no closure each. */
	readonly #onClose: (this: Socket) => void;

	constructor(caps: ConnectionCaps) {
		this.#caps = caps;
		const release = (address: string) => this.#release(address);
		this.#onClose = function (this: Socket) {
			// admit() read the address while the socket was open; Node keeps it after the close.
			release(this.remoteAddress ?? 'unknown');
		};
	}

	/** Open connections now. */
	get open(): number {
		return this.#open;
	}

	/**
	 * Counts a new connection until it closes, or says why it is refused (then it is not
	 * counted, and the caller must close it).
	 */
	admit(socket: Socket): RefusedBecause | undefined {
		const { maxConnections, maxConnectionsPerIp } = this.#caps;
		const address = socket.remoteAddress ?? 'unknown';
		const fromAddress = this.#byAddress.get(address) ?? 0;
		if (maxConnections > 0 && this.#open >= maxConnections) return 'too many connections';
		if (maxConnectionsPerIp > 0 && fromAddress >= maxConnectionsPerIp)
			return 'too many connections from this address';
		this.#open += 1;
		this.#byAddress.set(address, fromAddress + 1);
		socket.on('close', this.#onClose);
		return undefined;
	}

	#release(address: string): void {
		this.#open -= 1;
		const left = (this.#byAddress.get(address) ?? 1) - 1;
		if (left > 0) this.#byAddress.set(address, left);
		else this.#byAddress.delete(address);
	}
}

/** Answers a refused connection with a plain 503 and closes it once that is written. */
export function refuseConnection(socket: Socket, because: RefusedBecause): void {
	const body = `Service unavailable: ${because}\n`;
	socket.on('error', () => socket.destroy());
	socket.end(
		'HTTP/1.1 503 Service Unavailable\r\n' +
			'Connection: close\r\n' +
			'Retry-After: 10\r\n' +
			'Content-Type: text/plain; charset=utf-8\r\n' +
			`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
			body
	);
	socket.destroySoon();
}
