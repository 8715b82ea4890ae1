/**
 * The socket actor: one WebSocket for the lifetime of the state that invokes it. It opens the
 * socket from an injectable factory, forwards what the socket reports as `socket.*` events and
 * carries out `send`/`close` commands. It answers nothing itself: the protocol lives in the
 * machine. On cleanup it removes its handlers, leaves an error sink behind so that late events of
 * an abandoned socket can do no harm, and closes the socket if it is still connecting or open.
 */
import { fromCallback } from 'xstate';
import { CLIENT_CLOSE } from './close-codes';
import { parseFrame } from './frames';

/** `readyState` values, as in the WebSocket standard (and `ws`). */
export const CONNECTING = 0;
export const OPEN = 1;

/** The events a WebSocketLike dispatches, reduced to the fields the machine reads. */
export type SocketEventMap = {
	open: unknown;
	message: { data: unknown };
	close: { code: number; reason: string; wasClean: boolean };
	error: unknown;
};

/**
 * What the machine needs of a socket: the browser's `WebSocket` and `ws`'s `WebSocket` both fit.
 * Listeners are attached with `addEventListener`/`removeEventListener` (not `onopen` & co.).
 */
export type WebSocketLike = {
	readonly readyState: number;
	send(data: string): void;
	close(code?: number, reason?: string): void;
	addEventListener<K extends keyof SocketEventMap>(
		type: K,
		listener: (event: SocketEventMap[K]) => void
	): void;
	removeEventListener<K extends keyof SocketEventMap>(
		type: K,
		listener: (event: SocketEventMap[K]) => void
	): void;
};

/** Creates a socket for a URL; the default uses the global `WebSocket`. */
export type CreateSocket = (url: string) => WebSocketLike;

/**
 * Events the socket actor sends to its parent. Non-text frames are not forwarded; a text frame is
 * parsed here, once, and travels as `message` (undefined when it was not JSON).
 */
export type SocketEvent =
	| { type: 'socket.open' }
	| { type: 'socket.message'; message: unknown }
	| { type: 'socket.close'; code: number; reason: string; wasClean: boolean }
	| { type: 'socket.error'; reason?: string };

/** Commands the parent sends to the socket actor. */
export type SocketCommand =
	{ type: 'send'; data: string } | { type: 'close'; code: number; reason: string };

export type SocketInput = { url: string; createSocket: CreateSocket };

/** The error sink left on abandoned sockets (`ws` throws on an `error` nobody listens to). */
export function ignoreSocketError(): void {}

/** Opens a socket, forwards its events, and guarantees cleanup; see the file comment. */
export const socketActor = fromCallback<SocketCommand, SocketInput>(
	({ input, sendBack, receive }) => {
		const send = (event: SocketEvent) => sendBack(event);
		let socket: WebSocketLike;
		try {
			socket = input.createSocket(input.url);
		} catch (error) {
			// A factory that throws (bad URL, blocked scheme) is a failed attempt like any other.
			send({
				type: 'socket.error',
				reason: error instanceof Error ? error.message : String(error)
			});
			return;
		}

		const onOpen = () => send({ type: 'socket.open' });
		const onMessage = (event: SocketEventMap['message']) => {
			if (typeof event.data === 'string') {
				send({ type: 'socket.message', message: parseFrame(event.data) });
			}
		};
		const onClose = (event: SocketEventMap['close']) =>
			send({
				type: 'socket.close',
				code: event.code,
				reason: event.reason,
				wasClean: event.wasClean
			});
		const onError = () => send({ type: 'socket.error', reason: 'socket error' });

		socket.addEventListener('open', onOpen);
		socket.addEventListener('message', onMessage);
		socket.addEventListener('close', onClose);
		socket.addEventListener('error', onError);

		receive((command) => {
			if (command.type === 'send') {
				if (socket.readyState === OPEN) socket.send(command.data);
			} else if (socket.readyState === CONNECTING || socket.readyState === OPEN) {
				socket.close(command.code, command.reason);
			}
		});

		return () => {
			socket.removeEventListener('open', onOpen);
			socket.removeEventListener('message', onMessage);
			socket.removeEventListener('close', onClose);
			socket.removeEventListener('error', onError);
			socket.addEventListener('error', ignoreSocketError);
			if (socket.readyState === CONNECTING || socket.readyState === OPEN) {
				socket.close(CLIENT_CLOSE.code, CLIENT_CLOSE.reason);
			}
		};
	}
);
