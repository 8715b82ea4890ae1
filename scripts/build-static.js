/**
 * `npm run build:static`: the page alone, as files for a static host (Vercel, Netlify, any web
 * server), in `build-static/`; the socket server runs elsewhere (`node build/server.js`, e.g. on
 * Render). The socket's address is fixed at build time from PUBLIC_WS_URL (the environment or
 * `.env`) into `build-static/_app/env.js`, a small file a deployment may also rewrite afterwards.
 * A script rather than `VAR=x vite build`, which Windows shells do not understand.
 */
import { build } from 'vite';

process.env.TALKLINE_BUILD = 'static'; // read by svelte.config.js: adapter-static
if (!process.env.PUBLIC_WS_URL) {
	console.warn(
		'PUBLIC_WS_URL is not set: the page will open its socket on the origin it is served from.'
	);
}
await build();
