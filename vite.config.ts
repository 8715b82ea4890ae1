import { sveltekit } from '@sveltejs/kit/vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Dev only: serves `/ws/:clientId` and `/healthz` on Vite's server, leaving Vite's HMR socket
 * alone. The server code is loaded through Vite (see src/lib/server/vite-plugin.ts).
 */
function talklineDevSocket(): Plugin {
	return {
		name: 'talkline-dev-socket',
		apply: 'serve',
		async configureServer(server) {
			if (!server.httpServer || process.env.VITEST) return;
			const plugin = (await server.ssrLoadModule(
				'/src/lib/server/vite-plugin.ts'
			)) as typeof import('./src/lib/server/vite-plugin');
			await plugin.attachDevSocket(server);
		}
	};
}

export default defineConfig({
	plugins: [sveltekit(), talklineDevSocket()],
	server: { port: 5173 },
	test: {
		expect: { requireAssertions: true },
		include: ['tests/unit/**/*.test.ts', 'tests/model/**/*.test.ts', 'tests/server/**/*.test.ts'],
		environment: 'node'
	}
});
