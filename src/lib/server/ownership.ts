/**
 * Owned client ids (protocol.md, "Ownership and epochs"): the first connection for an id the
 * store does not know claims it and is given a secret token; later connections prove the id is
 * theirs by sending it in `resume`. The store keeps only the token's SHA-256, claimed atomically
 * (set-if-absent), so every instance sharing the store can check a token and a copy of the store
 * lets nobody in.
 */
import { hash, randomFillSync, timingSafeEqual } from 'node:crypto';
import type {
	ArrivalRecord,
	ArrivalRequest,
	ClientIdentity,
	MessageStore
} from './store/message-store';
import { TickBatch } from './tick-batch';

const TOKEN_BYTES = 32;
/** Random bytes for 256 tokens, filled at once: one call into OpenSSL a token cost 2 µs. */
const tokenPool = Buffer.alloc(TOKEN_BYTES * 256);
let tokenPoolUsed = tokenPool.length;

/** A new secret token: 256 random bits, base64url (43 characters). Each byte is used once. */
export function newToken(): string {
	if (tokenPoolUsed === tokenPool.length) {
		randomFillSync(tokenPool);
		tokenPoolUsed = 0;
	}
	const start = tokenPoolUsed;
	tokenPoolUsed += TOKEN_BYTES;
	return tokenPool.toString('base64url', start, tokenPoolUsed);
}

/**
 * The token's SHA-256, hex: what the store keeps. `crypto.hash` hashes in one call, without a
 * `Hash` object each (createHash, update, digest): 0.7 against 1.3 µs in a loop.
 */
export function hashToken(token: string): string {
	return hash('sha256', token, 'hex');
}

/** Whether `token` is the one whose hash the owner stored (constant time). */
export function tokenMatches(token: string, tokenHash: string | null): boolean {
	if (tokenHash === null) return false;
	const given = Buffer.from(hashToken(token), 'hex');
	const stored = Buffer.from(tokenHash, 'hex');
	return given.length === stored.length && timingSafeEqual(given, stored);
}

/** Who a new connection is: the log's identity, and the token when the connection claimed the id. */
export interface Arrival {
	identity: ClientIdentity;
	/** The log's last seq when the connection arrived (where a client that skips `resume` starts). */
	lastSeq: number;
	/** Set only when this connection has just claimed the id (sent once, in `connected`). */
	token?: string;
	/** The store made the log for this connection: nothing was stored for the id before it. */
	createdLog: boolean;
}

/**
 * How long an arriving connection waits for others to be looked up with it. Under load the
 * server then opens connections in groups: one store transaction and one burst of greetings
 * per group instead of a turn of the event loop each (without a window, nearly every group was
 * one connection). 8,000 new ids from one client process, 200 in flight, alternating runs: the
 * window alone cut the server's CPU per handshake by about a sixth; 5 ms gained nothing more.
 * A client waits up to 2 ms more for `connected`.
 */
const ARRIVAL_WINDOW_MS = 2;

/**
 * Arriving connections, looked up in the store together: every one that arrives within
 * ARRIVAL_WINDOW_MS goes to the store in one call (SqliteStore: one transaction).
 */
export class ArrivalQueue extends TickBatch<ArrivalRequest, ArrivalRecord> {
	constructor(store: MessageStore, onFault: (error: unknown) => void) {
		super('arrive', (batch) => store.arrive(batch), onFault, ARRIVAL_WINDOW_MS);
	}

	/**
	 * On a new connection: claims the id if nobody owns it (an unknown id, or a log from before
	 * ownership), else returns the owner's identity, which the connection must prove in `resume`.
	 */
	async arrive(clientId: string): Promise<Arrival> {
		const token = newToken();
		const { claimed, identity, lastSeq, created } = await this.request({
			clientId,
			tokenHash: hashToken(token)
		});
		const arrival: Arrival = { identity, lastSeq, createdLog: created };
		if (claimed) arrival.token = token;
		return arrival;
	}
}
