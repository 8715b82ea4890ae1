/**
 * The ownership token of a client id (protocol.md, "Ownership and epochs"), kept beside the id
 * in localStorage: the server gives it once, to the connection that claims a new id, and the
 * page proves with it that the id is its own on every later connection.
 */
import { MAX_TOKEN_CHARS } from '$lib/protocol/limits';

const keyOf = (clientId: string) => `talkline.token.${clientId}`;

/** The token this browser holds for `clientId`, if any. */
export function loadToken(storage: Storage | null, clientId: string): string | undefined {
	try {
		const token = storage?.getItem(keyOf(clientId));
		return token && token.length <= MAX_TOKEN_CHARS ? token : undefined;
	} catch {
		return undefined; // storage disabled: the page keeps the token in memory only
	}
}

/** Keeps the token for `clientId`; false when the browser would not store it. */
export function saveToken(storage: Storage | null, clientId: string, token: string): boolean {
	try {
		if (!storage) return false;
		storage.setItem(keyOf(clientId), token);
		return true;
	} catch {
		return false;
	}
}
