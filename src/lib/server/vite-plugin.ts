/**
 * `npm run dev`: the same `/ws/:clientId` endpoint, `/healthz` and `/metrics` on Vite's dev
 * server, with the settings of `.env` (as in production). Only
 * upgrades for `/ws/…` are taken; every other one (Vite's HMR socket) is left to Vite.
 *
 * vite.config.ts loads this file through `server.ssrLoadModule`, so the server code is not
 * bundled into the config and shares its module graph with SvelteKit's SSR modules.
 */
import type { ViteDevServer } from 'vite';
import { loadDotEnv } from './dotenv';
import { getTalklineInstance, setTalklineInstance } from './instance';
import { serveMetrics } from './metrics-endpoint';
import { createTalklineCore } from './talkline-core';
import { isSocketPath } from './upgrade';

/** Starts the socket server and attaches it to Vite's HTTP server. */
export async function attachDevSocket(server: ViteDevServer): Promise<void> {
	const httpServer = server.httpServer;
	if (!httpServer) return; // middleware mode: the host app owns the HTTP server
	// A config change restarts Vite in the same process: retire the previous socket server.
	await getTalklineInstance()?.close();
	loadDotEnv();
	const core = createTalklineCore({ env: process.env });
	setTalklineInstance(core);
	httpServer.on('upgrade', (req, socket, head) => {
		if (isSocketPath(req.url)) core.handleUpgrade(req, socket, head);
	});
	httpServer.once('close', () => {
		void core.close();
		if (getTalklineInstance() === core) setTalklineInstance(undefined);
	});
	server.middlewares.use('/metrics', (req, res) =>
		serveMetrics(req, res, core.config.metricsToken)
	);
	server.middlewares.use('/healthz', (_req, res) => {
		res.setHeader('content-type', 'application/json');
		res.end(JSON.stringify(core.health()));
	});
}
