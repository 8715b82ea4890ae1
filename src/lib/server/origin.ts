/**
 * The Origin allowlist, checked before the upgrade. Browsers always send Origin on a WebSocket
 * handshake, so this stops other sites from opening sockets in a visitor's name; non-browser
 * clients send none and can claim any, so a missing Origin is let through.
 */

export interface OriginPolicy {
	/** Extra allowed origins, e.g. `https://talkline.example`; `*` allows any. */
	allowedOrigins: readonly string[];
	/** Whether any http(s)://localhost, 127.0.0.1 or [::1] origin is allowed (development). */
	allowLocalhostOrigins: boolean;
}

const LOCAL_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a handshake with this Origin header may go on. The server's own origin (same host as
 * the request's Host header) is always allowed.
 */
export function isOriginAllowed(
	origin: string | undefined,
	host: string | undefined,
	policy: OriginPolicy
): boolean {
	if (origin === undefined) return true;
	if (policy.allowedOrigins.includes('*')) return true;
	let url: URL;
	try {
		url = new URL(origin);
	} catch {
		return false; // includes the literal "null" origin of sandboxed frames and file: pages
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
	if (policy.allowedOrigins.some((allowed) => sameOrigin(allowed, url))) return true;
	if (host !== undefined && url.host === host.toLowerCase()) return true;
	return policy.allowLocalhostOrigins && LOCAL_HOSTNAMES.has(url.hostname);
}

function sameOrigin(allowed: string, url: URL): boolean {
	try {
		return new URL(allowed).origin === url.origin;
	} catch {
		return false;
	}
}
