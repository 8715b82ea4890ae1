/**
 * Keepalive for one socket, two layers:
 * - JSON `ping {ts}` every `pingIntervalMs`, which the browser's statechart sees and answers;
 * - protocol-level ping frames every `wsPingIntervalMs`; a peer from which nothing (no pong, no
 *   message) has arrived for `wsPingTimeoutMs` is terminated, as uvicorn does with
 *   ws_ping_interval / ws_ping_timeout.
 *
 * One timer per socket, armed for whichever is due first (a JSON ping, a protocol ping, the
 * silence deadline), and no closure of its own: tens of thousands of idle sockets each pay for
 * one small object and one timer. `alive()` only notes the time.
 */
import type { WebSocket } from 'ws';

export interface HeartbeatTimes {
	pingIntervalMs: number;
	wsPingIntervalMs: number;
	wsPingTimeoutMs: number;
}

/** What the heartbeat asks of the connection it keeps alive. */
export interface HeartbeatOwner {
	/** Sends one JSON ping; due every `pingIntervalMs`. */
	sendPing(ts: number): void;
	/** Nothing has arrived for `wsPingTimeoutMs`. */
	keepaliveTimedOut(): void;
}

export class Heartbeat {
	readonly #ws: WebSocket;
	readonly #owner: HeartbeatOwner;
	readonly #times: HeartbeatTimes;
	#nextJsonPing: number;
	#nextWsPing: number;
	#lastHeard: number;
	#timer: ReturnType<typeof setTimeout> | undefined;

	/** Starts both layers on an open socket. */
	constructor(ws: WebSocket, owner: HeartbeatOwner, times: HeartbeatTimes) {
		this.#ws = ws;
		this.#owner = owner;
		this.#times = times;
		const now = Date.now();
		this.#lastHeard = now;
		this.#nextJsonPing = now + times.pingIntervalMs;
		this.#nextWsPing = now + times.wsPingIntervalMs;
		this.#arm(now);
	}

	/** Records that the peer spoke (a pong frame or any message). */
	alive(): void {
		this.#lastHeard = Date.now();
	}

	/** Stops the timer. Safe to call twice. */
	stop(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	// A static function plus an argument, not a closure per socket.
	static #fire(heartbeat: Heartbeat): void {
		heartbeat.#tick();
	}

	#tick(): void {
		this.#timer = undefined;
		const now = Date.now();
		const times = this.#times;
		if (now - this.#lastHeard >= times.wsPingTimeoutMs) {
			this.#owner.keepaliveTimedOut();
			return;
		}
		if (now >= this.#nextJsonPing) {
			this.#nextJsonPing = nextAfter(this.#nextJsonPing, now, times.pingIntervalMs);
			this.#owner.sendPing(now);
		}
		if (now >= this.#nextWsPing) {
			this.#nextWsPing = nextAfter(this.#nextWsPing, now, times.wsPingIntervalMs);
			if (this.#ws.readyState === this.#ws.OPEN) this.#ws.ping();
		}
		// sendPing may have ended the socket (a client too far behind), and with it this heartbeat.
		if (this.#ws.readyState === this.#ws.OPEN) this.#arm(now);
	}

	#arm(now: number): void {
		const due = Math.min(
			this.#nextJsonPing,
			this.#nextWsPing,
			this.#lastHeard + this.#times.wsPingTimeoutMs
		);
		this.#timer = setTimeout(Heartbeat.#fire, Math.max(0, due - now), this);
	}
}

/** The first time after `now` on the schedule `due + k * interval`: a late timer keeps the phase. */
function nextAfter(due: number, now: number, interval: number): number {
	return due + Math.max(1, Math.ceil((now - due + 1) / interval)) * interval;
}
