import { defineConfig } from 'vite';

/**
 * `npm run build:server`: compiles the production server entry (scripts/serve.ts and everything
 * it imports) to one ES module, `build/server.js`, that plain `node` runs. Packages stay imports
 * (Vite's SSR build leaves node_modules external), so the server needs only the run-time
 * `dependencies` of package.json. Runs after `vite build`, which empties `build/`.
 */
export default defineConfig({
	publicDir: false,
	logLevel: 'warn',
	build: {
		ssr: 'scripts/serve.ts',
		outDir: 'build',
		emptyOutDir: false,
		target: 'node20',
		sourcemap: true,
		rollupOptions: { output: { entryFileNames: 'server.js' } }
	}
});
