import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter(),
		alias: {
			// The connection statechart lives outside src/ so that it stays free of Svelte and the DOM.
			$machines: 'machines'
		},
		typescript: {
			config(tsconfig) {
				tsconfig.include.push(
					'../machines/**/*.ts',
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
