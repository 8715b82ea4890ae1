import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { chromiumArgs, findChromium } from './tests/support/chromium';

const port = Number(process.env.E2E_PORT ?? 8123);
/** A fresh store for every run, so no history from an earlier run leaks into a test. */
const dataDir = path.join(tmpdir(), `talkline-e2e-${Date.now().toString(36)}`);

export default defineConfig({
	testDir: 'tests/e2e',
	outputDir: 'test-results',
	fullyParallel: false,
	workers: 1,
	forbidOnly: !!process.env.CI,
	retries: 0,
	reporter: [['list']],
	timeout: 60_000,
	use: {
		baseURL: `http://127.0.0.1:${port}`,
		browserName: 'chromium',
		launchOptions: { executablePath: findChromium(), args: chromiumArgs },
		trace: 'retain-on-failure',
		actionTimeout: 10_000
	},
	webServer: {
		// npm start's script: builds when the build is missing or stale, then runs the compiled
		// server (build/server.js) with plain node, as production does.
		command: 'node scripts/start.js',
		url: `http://127.0.0.1:${port}/healthz`,
		// DEV_PAGES: the inspector tests use the /dev pages, which production does not serve.
		env: { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DEV_PAGES: '1' },
		reuseExistingServer: false,
		timeout: 400_000
	}
});
