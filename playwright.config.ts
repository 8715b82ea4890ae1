import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumArgsWithoutWebGL, findChromium } from './support/chromium';

const port = Number(process.env.E2E_PORT ?? 8123);
/**
 * Tests that look at the avatar, or at the whole page as people see it (accessibility, the six
 * states, the keyboard walk, the cold start that three.js competes with), run with WebGL drawn in
 * software. The others test what the avatar does not touch and run without WebGL, the page's own
 * fallback: the software renderer's shader compiles and frames took half the CPU of those tests
 * (page-connection, page-chat and page-delivery: 172 s of CPU with WebGL, 84 s without), and a
 * loaded 2-core CI machine ran the suite more than twice as slowly as a quiet one.
 */
const WEBGL_TESTS =
	/(avatar-[\w-]+|page-a11y|page-states|page-keyboard|page-cold-start|page-connection|smoke)\.test\.ts$/;

/** A fresh store for every run, so no history from an earlier run leaks into a test. */
const dataDir = path.join(tmpdir(), `talkline-e2e-${Date.now().toString(36)}`);

export default defineConfig({
	testDir: 'tests/e2e',
	outputDir: 'test-results',
	fullyParallel: false,
	// One worker per project, the two projects side by side: one page drawing WebGL in software
	// at a time (two of them starved 2 cores), next to one that does not draw it.
	workers: 2,
	forbidOnly: !!process.env.CI,
	retries: 0,
	reporter: [['list']],
	// A loaded 2-core CI machine ran the browser tests more than twice as slowly as a quiet one:
	// what a test waits for (a reconnect after a restart, an inspector's messages, a button under
	// a starved renderer) can take more than Playwright's defaults. A passing test is not slowed.
	timeout: 90_000,
	expect: { timeout: 15_000 },
	use: {
		baseURL: `http://127.0.0.1:${port}`,
		browserName: 'chromium',
		trace: 'retain-on-failure',
		actionTimeout: 20_000
	},
	projects: [
		{
			name: 'webgl',
			testMatch: WEBGL_TESTS,
			workers: 1,
			use: { launchOptions: { executablePath: findChromium(), args: chromiumArgs } }
		},
		{
			name: 'no-webgl',
			testIgnore: WEBGL_TESTS,
			workers: 1,
			use: { launchOptions: { executablePath: findChromium(), args: chromiumArgsWithoutWebGL } }
		}
	],
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
