/**
 * Keepalive for one socket, two layers:
 * - JSON `ping {ts}` every `pingIntervalMs`, which the browser's statechart sees and answers;
 * - protocol-level ping frames every `wsPingIntervalMs`; a peer from which nothing (no pong, no
 *   message) has arrived for `wsPingTimeoutMs` is terminated, as uvicorn does with
 *   ws_ping_interval / ws_ping_timeout.
 */
import type { WebSocket } from 'ws';

export interface HeartbeatOptions {
	pingIntervalMs: number;
	wsPingIntervalMs: number;
	wsPingTimeoutMs: number;
	/** Sends one JSON ping; called every `pingIntervalMs`. */
	sendPing: (ts: number) => void;
	/** The peer has been silent for `wsPingTimeoutMs`. */
	onTimeout: () => void;
}

export interface Heartbeat {
	/** Records that the peer spoke (a pong frame or any message). */
	alive(): void;
	/** Stops every timer. Safe to call twice. */
	stop(): void;
}

/** Starts both keepalive layers on an open socket. */
export function startHeartbeat(ws: WebSocket, options: HeartbeatOptions): Heartbeat {
	const jsonPing = setInterval(() => options.sendPing(Date.now()), options.pingIntervalMs);
	const wsPing = setInterval(() => {
		if (ws.readyState === ws.OPEN) ws.ping();
	}, options.wsPingIntervalMs);
	const deadline = setTimeout(options.onTimeout, options.wsPingTimeoutMs);
	const onPong = () => deadline.refresh();
	ws.on('pong', onPong);
	return {
		alive: () => deadline.refresh(),
		stop() {
			clearInterval(jsonPing);
			clearInterval(wsPing);
			clearTimeout(deadline);
			ws.off('pong', onPong);
		}
	};
}
