/**
 * Shared by the talk page's browser tests: a `test` whose every page fails the test on a console
 * error or an uncaught exception, a server process per test (so it can be restarted, killed or
 * frozen), a record of every state the badge has shown, and fake-time helpers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test as base, type Page } from '@playwright/test';
import {
	startServerProcess,
	type ServerProcess,
	type ServerProcessOptions
} from '../../support/server-process';

export { freePort } from '../support/free-port';

/**
 * Console messages Chromium itself writes for a refused or dropped socket ("WebSocket connection
 * to … failed"). They are the browser reporting the network, not the page failing, and they are
 * exactly what the reconnect tests provoke; every other console error fails the test.
 */
const BROWSER_NETWORK_NOISE = [
	/^WebSocket connection to '.*' failed/,
	// A chunk asked for while the test has taken the network or the server away, or in flight
	// when the server died (the page loads it again when connected).
	/^Failed to load resource: net::ERR_(INTERNET_DISCONNECTED|CONNECTION_REFUSED|CONNECTION_RESET|EMPTY_RESPONSE)$/
];

/** Whether a console error is the browser reporting the network rather than the page failing. */
export function isBrowserNetworkNoise(text: string): boolean {
	return BROWSER_NETWORK_NOISE.some((pattern) => pattern.test(text));
}

/**
 * Starts a server process for one test; the test's end disposes of it. `compiled`: run
 * build/server.js with plain node instead of scripts/serve.ts through tsx.
 */
export type StartServer = (
	env?: ServerProcessOptions['env'],
	port?: number,
	compiled?: boolean
) => Promise<TestServer>;

export const test = base.extend<{ consoleErrors: string[]; startServer: StartServer }>({
	consoleErrors: [
		async ({ page }, use) => {
			const errors: string[] = [];
			page.on('console', (message) => {
				if (message.type() !== 'error') return;
				const text = message.text();
				if (!isBrowserNetworkNoise(text)) errors.push(text);
			});
			page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
			await use(errors);
			expect(errors, 'console errors on the page').toEqual([]);
		},
		{ auto: true }
	],
	// eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
	startServer: async ({}, use) => {
		const started: TestServer[] = [];
		await use(async (env, port, compiled) => {
			const server = await startTestServer(env, port, compiled);
			started.push(server);
			return server;
		});
		for (const server of started) await server.dispose();
	}
});
export { expect };

export interface TestServer extends ServerProcess {
	/** Freezes the process (SIGSTOP): its sockets stay open and say nothing, new ones hang. */
	freeze(): void;
	/** Thaws a frozen process (SIGCONT). */
	thaw(): void;
	/** Ends the process and removes its data folder. */
	dispose(): Promise<void>;
}

/**
 * A real server process of the built app with a data folder of its own, on `port` (0: a free
 * one).
 */
export async function startTestServer(
	env: ServerProcessOptions['env'] = {},
	port = 0,
	compiled = false
): Promise<TestServer> {
	const dataDir = mkdtempSync(path.join(tmpdir(), 'talkline-e2e-'));
	const server = await startServerProcess({ port, compiled, env: { DATA_DIR: dataDir, ...env } });
	let frozen = false;
	/** SIGCONT to the current process, if it is frozen and still there (a kill ends a freeze). */
	const resume = () => {
		if (!frozen) return;
		frozen = false;
		try {
			process.kill(server.pid, 'SIGCONT');
		} catch {
			// Killed while frozen: nothing left to thaw.
		}
	};
	return Object.assign(server, {
		freeze() {
			process.kill(server.pid, 'SIGSTOP');
			frozen = true;
		},
		thaw: resume,
		async dispose() {
			resume();
			await server.kill();
			rmSync(dataDir, { recursive: true, force: true });
		}
	});
}

/** Records every `data-state` the badge shows from the first render on (before `goto`). */
export async function recordBadgeStates(page: Page): Promise<void> {
	await page.addInitScript(() => {
		const seen: string[] = [];
		Object.assign(window, { __badgeStates: seen });
		const note = () => {
			const state = document
				.querySelector('[data-testid="connection-badge"]')
				?.getAttribute('data-state');
			if (state && seen.at(-1) !== state) seen.push(state);
		};
		new MutationObserver(note).observe(document, {
			subtree: true,
			childList: true,
			attributes: true,
			attributeFilter: ['data-state']
		});
	});
}

/** The badge states recorded so far, in order, without repeats. */
export function badgeStates(page: Page): Promise<string[]> {
	return page.evaluate(() => (window as unknown as { __badgeStates: string[] }).__badgeStates);
}

export const badge = (page: Page) => page.getByTestId('connection-badge');

/** Waits until the badge shows `state`. */
export async function expectState(page: Page, state: string, timeout = 15_000): Promise<void> {
	await expect(badge(page)).toHaveAttribute('data-state', state, { timeout });
}

/**
 * Waits until the page shows the client id the server confirmed: its `connected` message has
 * been read, and with it the ownership token of an id it has just claimed. The badge reads
 * `open` on the socket's open event, before that: a server killed in between has stored the
 * claim, and the page never got the token.
 */
export async function expectConfirmed(page: Page, clientId: string): Promise<void> {
	await expect(page.getByTestId('client-id')).toHaveText(clientId);
}

/**
 * Advances the page's fake clock by `ms` in steps (`fastForward`: each due timer fires once, so the
 * avatar's animation frames do not run thousands of times), with short real waits between them so the real
 * sockets get their turn (a refused connect, an open) before the next timer fires.
 */
export async function advance(page: Page, ms: number, step = 500): Promise<void> {
	for (let done = 0; done < ms; done += step) {
		await page.clock.fastForward(Math.min(step, ms - done));
		await page.waitForTimeout(20);
	}
}

/**
 * Stops the page's fake time 1 s from now (`pauseAt` only jumps forward, and real time passes while
 * the test asks the page for its clock), so no timer the page sets afterwards (a backoff, a timeout)
 * fires until the test advances it: a state the test is looking at cannot move on in real time.
 */
export async function pauseClock(page: Page): Promise<void> {
	// On a loaded machine more than a second can pass between the two calls: then aim a little
	// further ahead (never as far as the page's shortest timers that matter, staleAfter's 15 s).
	for (const aheadMs of [1_000, 2_000, 4_000]) {
		try {
			await page.clock.pauseAt((await page.evaluate(() => Date.now())) + aheadMs);
			return;
		} catch (error) {
			if (aheadMs === 4_000 || !String(error).includes('Cannot fast-forward to the past'))
				throw error;
		}
	}
}

/** Advances fake time in steps until the badge shows `state`; fails after `limitMs` of fake time. */
export async function advanceUntil(
	page: Page,
	state: string,
	limitMs: number,
	step = 500
): Promise<number> {
	for (let elapsed = 0; elapsed <= limitMs; elapsed += step) {
		if ((await badge(page).getAttribute('data-state')) === state) return elapsed;
		await page.clock.fastForward(step);
		await page.waitForTimeout(20);
	}
	throw new Error(`the badge did not reach ${state} within ${limitMs} ms of fake time`);
}

/** The page for a client id on a test server. */
export function pageUrl(server: { url: string }, clientId: string): string {
	return `${server.url}/?clientId=${encodeURIComponent(clientId)}`;
}

/** A client id of its own for one test run, so history kept by the server never leaks in. */
export function uniqueId(prefix: string): string {
	return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
