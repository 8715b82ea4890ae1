/**
 * Keepalive for every socket of a server, two layers:
 * - JSON `ping {ts}` every `pingIntervalMs`, which the browser's statechart sees and answers;
 * - protocol-level ping frames every `wsPingIntervalMs` to a peer that has sent no message since
 *   the last one was due (a peer answering the JSON pings has just shown it is there); a peer
 *   from which nothing (no pong, no message) has arrived for `wsPingTimeoutMs` is terminated, as
 *   uvicorn does with ws_ping_interval / ws_ping_timeout.
 *
 * Idle sockets are the common case, tens of thousands of them, so the work is batched: the
 * server's `Heartbeats` keeps the sockets in buckets by when they are next due, rounded up to a
 * tick (100 ms by default), with one timer per bucket rather than one per socket. A bucket fires
 * as one sweep, and the sockets it pings share one serialized ping (same `ts`). A socket stays in
 * the bucket of its phase, so its pings stay `pingIntervalMs` apart. `alive()` and `heard()`
 * only note the time.
 */
import type { WebSocket } from 'ws';
import { serialize } from '../protocol/parse';

export interface HeartbeatTimes {
	pingIntervalMs: number;
	wsPingIntervalMs: number;
	wsPingTimeoutMs: number;
}

/** What the heartbeat asks of the connection it keeps alive. */
export interface HeartbeatOwner {
	/** Sends one JSON ping, serialized once for the whole sweep; due every `pingIntervalMs`. */
	sendPing(frame: Buffer): void;
	/** Nothing has arrived for `wsPingTimeoutMs`. */
	keepaliveTimedOut(): void;
}

/** Longest a due keepalive waits for its bucket; shorter when the intervals are short (tests). */
const MAX_TICK_MS = 100;

/** Sockets due at the same (rounded) moment, and the one timer that fires them. */
interface Bucket {
	readonly at: number;
	readonly members: Set<Heartbeat>;
	timer: ReturnType<typeof setTimeout> | undefined;
}

/** The keepalive schedule of one server: buckets of heartbeats by due time. */
export class Heartbeats {
	readonly times: HeartbeatTimes;
	readonly #tick: number;
	readonly #buckets = new Map<number, Bucket>();

	constructor(times: HeartbeatTimes) {
		this.times = times;
		const shortest = Math.min(times.pingIntervalMs, times.wsPingIntervalMs, times.wsPingTimeoutMs);
		this.#tick = Math.max(1, Math.min(MAX_TICK_MS, Math.floor(shortest / 20)));
	}

	/** Starts both layers on an open socket. */
	start(ws: WebSocket, owner: HeartbeatOwner): Heartbeat {
		return new Heartbeat(this, ws, owner, Date.now());
	}

	/** Buckets waiting to fire (for tests and the curious). */
	get pending(): number {
		return this.#buckets.size;
	}

	/** Puts `heartbeat` in the bucket of `due`, rounded up to the tick; returns that bucket. */
	schedule(heartbeat: Heartbeat, due: number, now: number): Bucket {
		const at = Math.ceil(due / this.#tick) * this.#tick;
		let bucket = this.#buckets.get(at);
		if (!bucket) {
			bucket = { at, members: new Set(), timer: undefined };
			bucket.timer = setTimeout(Heartbeats.#fire, Math.max(0, at - now), this, bucket);
			this.#buckets.set(at, bucket);
		}
		bucket.members.add(heartbeat);
		return bucket;
	}

	/** Takes `heartbeat` out of `bucket`; an emptied bucket's timer is cleared. */
	unschedule(heartbeat: Heartbeat, bucket: Bucket): void {
		bucket.members.delete(heartbeat);
		if (bucket.members.size > 0 || this.#buckets.get(bucket.at) !== bucket) return;
		clearTimeout(bucket.timer);
		this.#buckets.delete(bucket.at);
	}

	// A static function plus arguments: no closure per bucket.
	static #fire(heartbeats: Heartbeats, bucket: Bucket): void {
		heartbeats.#sweep(bucket);
	}

	#sweep(bucket: Bucket): void {
		this.#buckets.delete(bucket.at);
		bucket.timer = undefined;
		const sweep = new Sweep(Date.now());
		for (const heartbeat of bucket.members) heartbeat.fire(sweep);
		bucket.members.clear();
	}
}

/** One firing of a bucket: its clock reading and the ping frame its sockets share. */
export class Sweep {
	readonly now: number;
	#ping: Buffer | undefined;

	constructor(now: number) {
		this.now = now;
	}

	/** The serialized `ping {ts: now}`, made once for every socket of the sweep. */
	get ping(): Buffer {
		return (this.#ping ??= Buffer.from(serialize({ type: 'ping', ts: this.now })));
	}
}

export class Heartbeat {
	readonly #heartbeats: Heartbeats;
	readonly #ws: WebSocket;
	readonly #owner: HeartbeatOwner;
	#nextJsonPing: number;
	#nextWsPing: number;
	/** Last sign of life of any kind: a pong frame or a message. */
	#lastHeard: number;
	/** Last message (not a pong frame): a peer that talks needs no protocol ping. */
	#lastMessage: number;
	#bucket: Bucket | undefined;

	constructor(heartbeats: Heartbeats, ws: WebSocket, owner: HeartbeatOwner, now: number) {
		this.#heartbeats = heartbeats;
		this.#ws = ws;
		this.#owner = owner;
		const { times } = heartbeats;
		this.#lastHeard = now;
		this.#lastMessage = Number.NEGATIVE_INFINITY;
		this.#nextJsonPing = now + times.pingIntervalMs;
		this.#nextWsPing = now + times.wsPingIntervalMs;
		this.#arm(now);
	}

	/** Records a pong frame. */
	alive(): void {
		this.#lastHeard = Date.now();
	}

	/** Records a message from the peer: a sign of life that also makes a protocol ping needless. */
	heard(): void {
		this.#lastHeard = this.#lastMessage = Date.now();
	}

	/** Stops keepalive for this socket. Safe to call twice. */
	stop(): void {
		if (this.#bucket) this.#heartbeats.unschedule(this, this.#bucket);
		this.#bucket = undefined;
	}

	/** Called by the sweep of this heartbeat's bucket. */
	fire(sweep: Sweep): void {
		this.#bucket = undefined;
		const { now } = sweep;
		const times = this.#heartbeats.times;
		if (now - this.#lastHeard >= times.wsPingTimeoutMs) {
			this.#owner.keepaliveTimedOut();
			return;
		}
		if (now >= this.#nextJsonPing) {
			this.#nextJsonPing = nextAfter(this.#nextJsonPing, now, times.pingIntervalMs);
			this.#owner.sendPing(sweep.ping);
		}
		if (now >= this.#nextWsPing) {
			// Silent since the previous protocol ping was due: ask the peer for a pong.
			const silentSince = this.#nextWsPing - times.wsPingIntervalMs;
			this.#nextWsPing = nextAfter(this.#nextWsPing, now, times.wsPingIntervalMs);
			if (this.#lastMessage < silentSince && this.#ws.readyState === this.#ws.OPEN) {
				this.#ws.ping();
			}
		}
		// sendPing may have ended the socket (a client too far behind), and with it this heartbeat.
		if (this.#ws.readyState === this.#ws.OPEN) this.#arm(now);
	}

	#arm(now: number): void {
		const times = this.#heartbeats.times;
		const due = Math.min(
			this.#nextJsonPing,
			this.#nextWsPing,
			this.#lastHeard + times.wsPingTimeoutMs
		);
		this.#bucket = this.#heartbeats.schedule(this, due, now);
	}
}

/** The first time after `now` on the schedule `due + k * interval`: a late timer keeps the phase. */
function nextAfter(due: number, now: number, interval: number): number {
	return due + Math.max(1, Math.ceil((now - due + 1) / interval)) * interval;
}
