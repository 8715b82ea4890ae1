import adapterNode from '@sveltejs/adapter-node';
import adapterStatic from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * `npm run build` makes the Node server's app (adapter-node, in build/); `npm run build:static`
 * (scripts/build-static.js) the page alone for a static host (adapter-static, in build-static/,
 * one index.html that boots the client router for every path).
 */
const staticBuild = process.env.TALKLINE_BUILD === 'static';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: staticBuild
			? adapterStatic({ pages: 'build-static', assets: 'build-static', fallback: 'index.html' })
			: adapterNode(),
		alias: {
			// The connection statechart lives outside src/ so that it stays free of Svelte and the DOM.
			$machines: 'machines'
		},
		typescript: {
			config(tsconfig) {
				// support/: helpers the tests and the benchmarks share (server process, Chromium, avatar files).
				tsconfig.include.push(
					'../machines/**/*.ts',
					'../support/**/*.ts',
					'../scripts/**/*.ts',
					'../scripts/**/*.js',
					'../vite.server.config.ts',
					'../playwright.config.ts'
				);
				return tsconfig;
			}
		}
	}
};

export default config;
