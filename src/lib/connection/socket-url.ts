/**
 * The WebSocket URL for a client id: the page's own origin by default, or `publicWsUrl`
 * (PUBLIC_WS_URL) when the front end is served from somewhere else than the server.
 * `publicWsUrl` may be a ws(s):// or http(s):// base, with or without a trailing `/ws`.
 */
export function socketUrl(clientId: string, pageUrl: URL, publicWsUrl?: string): string {
	const base = new URL(publicWsUrl && publicWsUrl.trim() ? publicWsUrl.trim() : pageUrl.origin);
	if (base.protocol === 'http:') base.protocol = 'ws:';
	else if (base.protocol === 'https:') base.protocol = 'wss:';
	const prefix = base.pathname.replace(/\/+$/, '').replace(/\/ws$/, '');
	base.pathname = `${prefix}/ws/${encodeURIComponent(clientId)}`;
	base.search = '';
	base.hash = '';
	return base.toString();
}
