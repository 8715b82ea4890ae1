/**
 * `npm run dev`: the same `/ws/:clientId` endpoint and `/healthz` on Vite's dev server. Only
 * upgrades for `/ws/…` are taken; every other one (Vite's HMR socket) is left to Vite.
 */
import type { Plugin } from 'vite';
import { getTalklineInstance, setTalklineInstance } from './instance';
import { createTalklineCore } from './talkline-core';

/** The Vite plugin that serves the Talkline socket in development. */
export function talklineDevSocket(): Plugin {
	return {
		name: 'talkline-dev-socket',
		apply: 'serve',
		async configureServer(server) {
			const httpServer = server.httpServer;
			// Vitest and middleware mode have no HTTP server of their own to attach to.
			if (!httpServer || process.env.VITEST) return;
			// A config change restarts Vite in the same process: retire the previous socket server.
			await getTalklineInstance()?.close();
			const core = createTalklineCore({ env: process.env });
			setTalklineInstance(core);
			httpServer.on('upgrade', (req, socket, head) => {
				core.handleUpgrade(req, socket, head);
			});
			httpServer.once('close', () => void core.close());
			server.middlewares.use('/healthz', (_req, res) => {
				res.setHeader('content-type', 'application/json');
				res.end(JSON.stringify(core.health()));
			});
		}
	};
}
