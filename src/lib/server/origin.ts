/**
 * Who may open a socket, checked before the upgrade: the Origin allowlist and, when configured,
 * the Host allowlist.
 *
 * Browsers always send Origin on a WebSocket handshake, so the allowlist stops other sites from
 * opening sockets in a visitor's name; non-browser clients send none and can claim any, so a
 * missing Origin is let through (ownership tokens, not Origin, protect a conversation).
 *
 * The Host header is never trusted to vouch for an origin: with DNS rebinding, a page at
 * `http://evil.example:8000` whose name now points at this server sends `Origin:
 * http://evil.example:8000` and `Host: evil.example:8000`, a perfect match. So in production only
 * the configured public origins are allowed. In development, localhost origins are, and an origin
 * equal to the Host when that host is an IP address (a LAN address typed in the address bar),
 * since an IP literal is no name that can be rebound.
 */
import { isIP } from 'node:net';

export interface OriginPolicy {
	/** Allowed origins, e.g. `https://talkline.example`; `*` allows any. */
	allowedOrigins: readonly string[];
	/** Development: localhost origins, and IP-literal origins equal to the Host, are allowed. */
	allowLocalhostOrigins: boolean;
	/** Host header values accepted (`name` or `name:port`); empty accepts any. */
	allowedHosts: readonly string[];
}

const LOCAL_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a handshake with this Origin header may go on. */
export function isOriginAllowed(
	origin: string | undefined,
	host: string | undefined,
	policy: Omit<OriginPolicy, 'allowedHosts'>
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
	if (!policy.allowLocalhostOrigins) return false;
	if (LOCAL_HOSTNAMES.has(url.hostname)) return true;
	const literal = url.hostname.replace(/^\[|\]$/g, '');
	return isIP(literal) !== 0 && host !== undefined && url.host === host.toLowerCase();
}

/** Whether the Host header names this server (always, when no ALLOWED_HOSTS is set). */
export function isHostAllowed(
	host: string | undefined,
	policy: Pick<OriginPolicy, 'allowedHosts'>
): boolean {
	if (policy.allowedHosts.length === 0) return true;
	if (host === undefined) return false;
	const given = host.trim().toLowerCase();
	const name = given.replace(/:\d+$/, '');
	return policy.allowedHosts.some((allowed) => {
		const entry = allowed.trim().toLowerCase();
		return entry === given || entry === name;
	});
}

function sameOrigin(allowed: string, url: URL): boolean {
	try {
		return new URL(allowed).origin === url.origin;
	} catch {
		return false;
	}
}
