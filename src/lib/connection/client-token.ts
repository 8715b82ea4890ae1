/**
 * The ownership token of a client id (protocol.md, "Ownership and epochs"), kept beside the id
 * in localStorage: the server gives it once, to the connection that claims a new id, and the
 * page proves with it that the id is its own on every later connection.
 *
 * It is kept in a cookie too. localStorage belongs to scheme, host and port; a cookie belongs to
 * the host alone, so the page of another instance on the same host (two `npm start`s on ports
 * 8001 and 8002 sharing Redis) finds the token as well and shows the same conversation. The
 * server never reads the cookie: the token is proved in `resume`, as the protocol says.
 */
import { MAX_TOKEN_CHARS } from '$lib/protocol/limits';

const keyOf = (clientId: string) => `talkline.token.${clientId}`;
/** The longest a browser keeps a cookie (Chrome's cap is 400 days). */
const COOKIE_MAX_AGE_S = 400 * 24 * 60 * 60;

/** Where cookies are read and written: the page's document (none outside a browser). */
type CookieJar = { cookie: string };
const jar = (): CookieJar | null => (typeof document === 'undefined' ? null : document);

const usable = (token: string | null | undefined): token is string =>
	!!token && token.length <= MAX_TOKEN_CHARS;

/** The token this browser holds for `clientId`, if any. */
export function loadToken(storage: Storage | null, clientId: string): string | undefined {
	let stored: string | null | undefined;
	try {
		stored = storage?.getItem(keyOf(clientId));
	} catch {
		stored = undefined; // storage disabled: the cookie, or memory only
	}
	if (usable(stored)) return stored;
	const fromCookie = readCookie(clientId);
	if (!usable(fromCookie)) return undefined;
	try {
		storage?.setItem(keyOf(clientId), fromCookie); // another port's page claimed the id
	} catch {
		// Kept in the cookie; that is enough.
	}
	return fromCookie;
}

/** Keeps the token for `clientId`; false when the browser would not store it anywhere. */
export function saveToken(storage: Storage | null, clientId: string, token: string): boolean {
	let saved = writeCookie(clientId, token);
	try {
		if (storage) {
			storage.setItem(keyOf(clientId), token);
			saved = true;
		}
	} catch {
		// Storage disabled or full: the cookie holds it, if cookies are allowed.
	}
	return saved;
}

function readCookie(clientId: string): string | undefined {
	const name = `${encodeURIComponent(keyOf(clientId))}=`;
	try {
		const found = jar()
			?.cookie.split('; ')
			.find((pair) => pair.startsWith(name));
		return found === undefined ? undefined : decodeURIComponent(found.slice(name.length));
	} catch {
		return undefined; // cookies disabled, or a value that is not ours
	}
}

function writeCookie(clientId: string, token: string): boolean {
	const cookies = jar();
	if (!cookies) return false;
	const secure = globalThis.location?.protocol === 'https:' ? '; Secure' : '';
	try {
		cookies.cookie =
			`${encodeURIComponent(keyOf(clientId))}=${encodeURIComponent(token)}; Path=/; ` +
			`Max-Age=${COOKIE_MAX_AGE_S}; SameSite=Strict${secure}`;
		return readCookie(clientId) === token;
	} catch {
		return false;
	}
}
