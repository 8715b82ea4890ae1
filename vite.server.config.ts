import { defineConfig } from 'vite';

/**
 * `npm run build:server`: compiles the production server entry (scripts/serve.ts and everything
 * it imports) to one ES module, `build/server.js`, that plain `node` runs, and the supervisor
 * that reloads it without a gap (scripts/supervise.ts) to `build/supervisor.js`. Packages stay imports
 * (Vite's SSR build leaves node_modules external), so the server needs only the run-time
 * `dependencies` of package.json. Runs after `vite build`, which empties `build/`.
 */
export default defineConfig({
	publicDir: false,
	logLevel: 'warn',
	build: {
		ssr: true,
		outDir: 'build',
		emptyOutDir: false,
		target: 'node20',
		sourcemap: true,
		rollupOptions: {
			input: { server: 'scripts/serve.ts', supervisor: 'scripts/supervise.ts' },
			// What both import (the logger, .env reading) goes to one shared chunk, apart from
			// adapter-node's own chunks.
			output: { entryFileNames: '[name].js', chunkFileNames: 'server-chunks/[name]-[hash].js' }
		}
	}
});
