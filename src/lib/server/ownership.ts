/**
 * Owned client ids (protocol.md, "Ownership and epochs"): the first connection for an id the
 * store does not know claims it and is given a secret token; later connections prove the id is
 * theirs by sending it in `resume`. The store keeps only the token's SHA-256, claimed atomically
 * (set-if-absent), so every instance sharing the store can check a token and a copy of the store
 * lets nobody in.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClientIdentity, MessageStore } from './store/message-store';

/** A new secret token: 256 random bits, base64url (43 characters). */
export function newToken(): string {
	return randomBytes(32).toString('base64url');
}

/** The token's SHA-256, hex: what the store keeps. */
export function hashToken(token: string): string {
	return createHash('sha256').update(token, 'utf8').digest('hex');
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
}

/**
 * On a new connection: claims the id if nobody owns it (an unknown id, or a log from before
 * ownership), else returns the owner's identity, which the connection must prove in `resume`.
 */
export async function arrive(store: MessageStore, clientId: string): Promise<Arrival> {
	const [known, lastSeq] = await Promise.all([store.identity(clientId), store.lastSeq(clientId)]);
	if (known && known.tokenHash !== null) return { identity: known, lastSeq };
	const token = newToken();
	const { claimed, identity } = await store.claim(clientId, hashToken(token));
	return claimed ? { identity, lastSeq, token } : { identity, lastSeq };
}
