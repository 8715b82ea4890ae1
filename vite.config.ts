import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { talklineDevSocket } from './src/lib/server/vite-plugin';

export default defineConfig({
	plugins: [sveltekit(), talklineDevSocket()],
	server: { port: 5173 },
	test: {
		expect: { requireAssertions: true },
		include: ['tests/unit/**/*.test.ts', 'tests/model/**/*.test.ts', 'tests/server/**/*.test.ts'],
		environment: 'node'
	}
});
