/**
 * The HTTP upgrade handler for `/ws/:clientId`: a chain of early-return checks, each refusal
 * through one abort helper, as in ws's own `handleUpgrade`. Other paths are not touched, so the
 * caller can leave them to Vite's HMR socket (dev) or refuse them (production).
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { isValidClientId } from '../protocol/limits';
import { isHostAllowed, isOriginAllowed, type OriginPolicy } from './origin';

const WS_PREFIX = '/ws/';

export interface UpgradeOptions {
	wss: WebSocketServer;
	originPolicy: OriginPolicy;
	/** False once the server is shutting down: new handshakes get 503. */
	isAccepting: () => boolean;
	/**
	 * Called with every accepted socket; `clientId` is null when the id in the path is invalid.
	 * `req.socket` is corked, the 101 response in it: uncork it once the first message (or the
	 * close) is queued behind it.
	 */
	onConnection: (
		ws: WebSocket,
		clientId: string | null,
		rawId: string,
		req: IncomingMessage
	) => void;
	/** Told about refused handshakes, for the log. */
	onRefused?: (status: number, reason: string, req: IncomingMessage) => void;
}

/** The upgrade handler. It returns false, untouched, for paths other than `/ws/…`. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

/** Whether a request URL is for the Talkline socket endpoint. */
export function isSocketPath(url: string | undefined): boolean {
	return (url ?? '').startsWith(WS_PREFIX);
}

/** Builds the upgrade handler for `/ws/:clientId`. */
export function createUpgradeHandler(options: UpgradeOptions): UpgradeHandler {
	const { wss, originPolicy, isAccepting, onConnection, onRefused } = options;
	return (req, socket, head) => {
		if (!isSocketPath(req.url)) return false;
		// A client that resets mid-handshake must not become an uncaught 'error'. A shared
		// listener, not a closure: a closure here would keep this scope (and `req`, headers and
		// all) alive for as long as the socket lives.
		socket.on('error', destroySocket);
		const refuse = (status: number, reason: string) => {
			onRefused?.(status, reason, req);
			abortHandshake(socket, status, reason);
			return true;
		};
		if (!isAccepting()) return refuse(503, 'Server shutting down');
		if (!isHostAllowed(req.headers.host, originPolicy)) return refuse(403, 'Host not allowed');
		if (!isOriginAllowed(req.headers.origin, req.headers.host, originPolicy)) {
			return refuse(403, 'Origin not allowed');
		}
		const rawId = clientIdFromUrl(req.url ?? '');
		const clientId = rawId !== null && isValidClientId(rawId) ? rawId : null;
		// The 101 and the first message (`connected`, sent once the store has answered) leave in
		// one write: one system call, and one wake-up of the client, instead of two.
		socket.cork();
		wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, clientId, rawId ?? '', req));
		return true;
	};
}

function destroySocket(this: Duplex): void {
	this.destroy();
}

/** The decoded `:clientId` segment, or null when it cannot be decoded. */
export function clientIdFromUrl(url: string): string | null {
	const path = url.split(/[?#]/, 1)[0] ?? '';
	try {
		return decodeURIComponent(path.slice(WS_PREFIX.length));
	} catch {
		return null;
	}
}

/** Answers a handshake with a plain HTTP error and closes the TCP socket. */
export function abortHandshake(socket: Duplex, status: number, message: string): void {
	if (socket.writable) {
		const body = `${message}\n`;
		socket.write(
			`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
				'Connection: close\r\n' +
				'Content-Type: text/plain; charset=utf-8\r\n' +
				`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
				body
		);
	}
	socket.destroy();
}
