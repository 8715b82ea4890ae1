/**
 * One WebSocket connection of one client id: the `connected` greeting, keepalive, counters for
 * the brain, and the delivery of stored (sequenced) messages in order.
 *
 * Delivery states: `awaiting` (opened; stored messages wait for the client's `resume`),
 * `replaying` (sending what the store holds after the client's `lastSeq`, paced), `live`
 * (new stored messages go out as they are stored). A client that sends anything else before
 * `resume` is treated as resuming from where the store stood when it connected.
 *
 * The store is asynchronous and may be shared by several instances, so a stored message can be
 * handed to `deliver()` more than once (by this instance and by the store's feed) or while a
 * replay is reading: the session sends each `seq` once, in order. A message that would leave a
 * gap (one stored in between was not handed over) makes it read the store from where it stands.
 *
 * Ownership (protocol.md, "Ownership and epochs"): a session is its client id's `owner` once it
 * has claimed the id (on connecting) or proved the token (in `resume`). Until then it gets no
 * replay and nothing of the conversation; ./message-handler refuses what it may not send.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { CLOSE } from '../protocol/limits';
import type { SequencedMessage, ServerMessage } from '../protocol/server-messages';
import type { ServerConfig } from './config';
import type { Heartbeat, HeartbeatOwner, Heartbeats } from './heartbeat';
import type { Logger } from './log';
import { metrics } from './metrics';
import { Outbound, type OutboundOwner } from './outbound';
import { tokenMatches, type Arrival } from './ownership';
import { RateLimiter, type RateLimiters } from './rate-limiter';
import type { MessageStore } from './store/message-store';

/** Stored messages read from the store at a time while replaying (each then paced out). */
const REPLAY_BATCH = 100;
/** A longer round trip means the client echoed a wrong `ts`, not a slow network: not recorded. */
const MAX_RTT_MS = 60 * 60_000;

type Delivery = 'awaiting' | 'resuming' | 'replaying' | 'live';

/** Why a socket ended, as the server decided it (undefined: the client closed it). */
export interface CloseIntent {
	code: number;
	reason: string;
}

export interface SessionStats {
	pingsSent: number;
	pongsReceived: number;
	lastRttMs?: number;
	badMessages: number;
}

/** What every session of a server shares (one object for all of them). */
export interface SessionDeps {
	config: ServerConfig;
	store: MessageStore;
	log: Logger;
	/** The keepalive schedule every socket of the server shares. */
	heartbeats: Heartbeats;
	/** The rate limit buckets of client ids, shared by their connections. */
	limiters: RateLimiters;
}

export class Session implements HeartbeatOwner, OutboundOwner {
	readonly sessionId = randomUUID();
	readonly openedAt = Date.now();
	readonly stats: SessionStats = { pingsSent: 0, pongsReceived: 0, badMessages: 0 };
	/** The rate limit bucket (see `limiter`); made when first needed: an idle socket holds none. */
	#limiter: RateLimiter | undefined;
	/** The epoch of the client id's log when this connection opened. */
	readonly epoch: string;
	/** Whether this connection has claimed the id or proved its token. */
	owner: boolean;
	/** Set once the server has decided to end this socket. */
	closeIntent: CloseIntent | undefined;
	readonly #ws: WebSocket;
	readonly #deps: SessionDeps;
	readonly #outbound: Outbound;
	readonly #seqAtOpen: number;
	/** The store made the client id's log for this connection: nothing was stored before it. */
	readonly createdLog: boolean;
	/** Whether a stored message has been handed to deliver() since the connection opened. */
	#handedOver = false;
	/** The highest seq sent on this connection (or that the client said it has). */
	#sentSeq = 0;
	/** Messages handed over while a replay is reading, sent (if still needed) when it ends. */
	#held: SequencedMessage[] = [];
	/** The owner's token hash, for a connection that has yet to prove it (then dropped). */
	#tokenHash: string | null;
	/** The token to hand out in `connected`, when this connection claimed the id (then dropped). */
	#newToken: string | undefined;
	#heartbeat: Heartbeat | undefined;
	#delivery: Delivery = 'awaiting';
	#replayGeneration = 0;

	constructor(
		readonly clientId: string,
		ws: WebSocket,
		deps: SessionDeps,
		arrival: Arrival
	) {
		this.#ws = ws;
		this.#deps = deps;
		this.epoch = arrival.identity.epoch;
		this.#tokenHash = arrival.identity.tokenHash;
		this.#newToken = arrival.token;
		this.owner = arrival.token !== undefined;
		this.#seqAtOpen = arrival.lastSeq;
		this.createdLog = arrival.createdLog;
		this.#outbound = new Outbound(ws, deps.config, this);
	}

	/** Greets the client and starts keepalive. `resumedFrom`: the session this one follows. */
	start(resumedFrom: string | undefined): void {
		const { config } = this.#deps;
		this.send({
			type: 'connected',
			clientId: this.clientId,
			sessionId: this.sessionId,
			serverTime: Date.now(),
			pingIntervalMs: config.pingIntervalMs,
			epoch: this.epoch,
			...(this.#newToken ? { token: this.#newToken } : {}),
			...(resumedFrom ? { resumedFrom } : {})
		});
		this.#newToken = undefined;
		this.#heartbeat = this.#deps.heartbeats.start(this.#ws, this);
	}

	/** This connection's own bucket until it is the owner, then the one its client id shares. */
	get limiter(): RateLimiter {
		const { config, limiters } = this.#deps;
		this.#limiter ??= this.owner
			? limiters.of(this.clientId)
			: new RateLimiter(config.rateLimitPerSec, config.rateLimitBurst);
		return this.#limiter;
	}

	/** The connection has claimed its id or proved the token: it now speaks for the id. */
	becomeOwner(): void {
		this.owner = true;
		this.#limiter = undefined; // the id's shared bucket from now on
		this.#tokenHash = null; // an owner has nothing left to prove
	}

	/** Keepalive: one JSON ping (serialized once for every socket pinged with it), counted for the brain. */
	sendPing(frame: Buffer): void {
		if (this.#outbound.sendSerialized(frame)) this.stats.pingsSent += 1;
	}

	/** Keepalive: the peer has been silent too long. */
	keepaliveTimedOut(): void {
		this.#ws.terminate();
		this.#terminated('keepalive timeout');
	}

	/** The client fell too far behind; Outbound has terminated the socket. */
	overflowed(bufferedBytes: number): void {
		metrics.backpressureCloses.inc();
		this.#terminated('backpressure', { bufferedBytes });
	}

	/** A pong frame arrived: keepalive is satisfied. */
	alive(): void {
		this.#heartbeat?.alive();
	}

	/** A message arrived: keepalive is satisfied and needs no protocol ping. */
	heard(): void {
		this.#heartbeat?.heard();
	}

	/** Records a `pong` to one of our JSON pings. */
	pong(ts: number): void {
		this.stats.pongsReceived += 1;
		const rtt = Date.now() - ts;
		if (rtt >= 0 && rtt < MAX_RTT_MS) this.stats.lastRttMs = rtt;
	}

	/** Sends a message that is not stored (connected, ping, pong, ack, error). */
	send(message: ServerMessage): boolean {
		return this.#outbound.send(message);
	}

	/** Sends a just-stored message if this connection is live; otherwise replay will. */
	deliver(message: SequencedMessage): void {
		this.#handedOver = true;
		if (this.#delivery === 'replaying') {
			this.#held.push(message);
			return;
		}
		if (this.#delivery !== 'live' || message.seq <= this.#sentSeq) return;
		if (message.seq === this.#sentSeq + 1) {
			if (this.#outbound.send(message)) this.#sentSeq = message.seq;
			return;
		}
		// A gap: something stored in between never reached this session; read it from the store.
		this.#held.push(message);
		void this.#replayFrom(this.#sentSeq);
	}

	/** Whether `token` is the owner's. */
	proves(token: string): boolean {
		return tokenMatches(token, this.#tokenHash);
	}

	/**
	 * Why a `resume` cannot be followed, or undefined when it can: in the same epoch, a `lastSeq`
	 * beyond the log's last seq (the client claims messages that were never sent).
	 */
	async refusesResume(lastSeq: number, epoch: string | undefined): Promise<string | undefined> {
		if (epoch !== this.epoch) return undefined;
		// The last seq only grows within an epoch: up to the one read on arrival needs no new read.
		if (lastSeq <= this.#seqAtOpen) return undefined;
		const last = await this.#deps.store.lastSeq(this.clientId);
		if (lastSeq <= last) return undefined;
		return `Invalid "resume" message: lastSeq ${lastSeq} is beyond the last seq of this epoch (${last})`;
	}

	/**
	 * A `resume` arrived and is being checked: nothing is replayed meanwhile (`ensureResumed` waits
	 * for it). `resumeRefused()` undoes it when the check fails.
	 */
	resuming(): void {
		if (this.#delivery === 'awaiting') this.#delivery = 'resuming';
	}

	resumeRefused(): void {
		if (this.#delivery === 'resuming') this.#delivery = 'awaiting';
	}

	/**
	 * `resume {lastSeq, epoch}` (after refusesResume said yes): in the same epoch, replays every
	 * stored message after `lastSeq`; in another epoch (or none), the whole log from seq 1, since
	 * the client's numbers count in a log that is gone. Then goes live.
	 */
	async resume(lastSeq: number, epoch: string | undefined): Promise<void> {
		const { store } = this.#deps;
		const from = epoch === this.epoch ? lastSeq : 0;
		this.#sentSeq = from;
		this.#held = [];
		// The client has everything up to it (recorded, never waited for: replay needs nothing of it).
		if (from > 0) void store.acknowledge(this.clientId, from).catch(() => undefined);
		if (this.#nothingStored(from)) this.#delivery = 'live';
		else await this.#replayFrom(from);
	}

	/**
	 * Whether the store can hold nothing after `from` without reading it: the log was made for
	 * this connection (empty then) and no message has been stored for it since, as every one is
	 * handed to the owner's deliver(). A new client's first resume then costs no read.
	 */
	#nothingStored(from: number): boolean {
		return this.createdLog && from === 0 && !this.#handedOver;
	}

	async #replayFrom(lastSeq: number): Promise<void> {
		const { store } = this.#deps;
		const generation = ++this.#replayGeneration;
		this.#delivery = 'replaying';
		let cursor = lastSeq;
		for (;;) {
			let batch: SequencedMessage[];
			try {
				batch = await store.replay(this.clientId, cursor, REPLAY_BATCH);
			} catch (error) {
				// The store is unreachable: stop here; the client's next resume reads it again.
				if (generation === this.#replayGeneration)
					this.close(CLOSE.tryAgainLater, 'store unavailable');
				this.#deps.log.warn(
					{ event: 'replay.failed', clientId: this.clientId, err: error },
					'replay failed'
				);
				return;
			}
			if (generation !== this.#replayGeneration) return;
			if (batch.length === 0) break;
			for (const message of batch) {
				const sent = await this.#outbound.paced(message);
				if (!sent || generation !== this.#replayGeneration) return;
				cursor = message.seq;
				this.#sentSeq = Math.max(this.#sentSeq, cursor);
			}
		}
		this.#sentSeq = Math.max(this.#sentSeq, cursor);
		this.#delivery = 'live';
		// What was handed over while the replay read, in seq order; a gap reads the store again.
		const held = this.#held.sort((a, b) => a.seq - b.seq);
		this.#held = [];
		for (const message of held) this.deliver(message);
	}

	/** For clients that skip `resume`: resume from where the store stood when they connected. */
	ensureResumed(): void {
		if (this.#delivery !== 'awaiting') return;
		this.#sentSeq = this.#seqAtOpen;
		if (this.#nothingStored(this.#seqAtOpen)) this.#delivery = 'live';
		else void this.#replayFrom(this.#seqAtOpen);
	}

	/** The socket this session speaks on (shutdown closes the others by it). */
	get socket(): WebSocket {
		return this.#ws;
	}

	/** Closes with a close frame. Safe to call twice; the first reason wins. */
	close(code: number, reason: string): void {
		if (this.closeIntent) return;
		this.closeIntent = { code, reason };
		this.#ws.close(code, reason);
	}

	/** Stops the timers; called once the socket has closed. */
	dispose(): void {
		this.#heartbeat?.stop();
		this.#replayGeneration += 1;
	}

	/** The socket was terminated without a close frame (keepalive timeout, backpressure). */
	#terminated(reason: string, details?: Record<string, number>): void {
		this.closeIntent ??= { code: CLOSE.abnormal, reason };
		const { clientId, sessionId } = this;
		this.#deps.log.warn(
			{ event: 'connection.terminated', clientId, sessionId, reason, ...details },
			'connection terminated'
		);
	}
}
