/**
 * The split deployment of the original users: the page built for a static host
 * (`npm run build:static`, as on Vercel) served from one port, the socket server alone
 * (as on Render, NODE_ENV=production with the page's origin in ALLOWED_ORIGINS) on another. The
 * page connects to the address fixed at build time, chats, and comes back by itself after the
 * server restarts. The build runs here, with that server's address (about a minute).
 */
import { spawnSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { startStaticServer, type StaticServer } from '../support/static-server';
import {
	badgeStates,
	expect,
	expectState,
	freePort,
	recordBadgeStates,
	test,
	uniqueId,
	type TestServer
} from './page-support';

let host: StaticServer;

/** Types and sends; the page's main thread may be busy drawing the avatar in software WebGL. */
async function say(page: Page, text: string): Promise<void> {
	await page.getByTestId('chat-input').fill(text, { timeout: 60_000 });
	await page.getByTestId('send-button').click({ timeout: 60_000 });
}
let socketPort: number;

test.beforeAll(async () => {
	test.setTimeout(300_000);
	socketPort = await freePort();
	const build = spawnSync(
		process.platform === 'win32' ? 'npm.cmd' : 'npm',
		['run', 'build:static'],
		{
			env: { ...process.env, PUBLIC_WS_URL: `ws://127.0.0.1:${socketPort}` },
			encoding: 'utf8',
			shell: process.platform === 'win32'
		}
	);
	expect(build.status, `npm run build:static failed:\n${build.stdout}\n${build.stderr}`).toBe(0);
	host = await startStaticServer('build-static');
});

test.afterAll(async () => {
	await host?.close();
});

test('the socket address is fixed in the static build', () => {
	const env = readFileSync('build-static/_app/env.js', 'utf8');
	expect(env).toContain(`ws://127.0.0.1:${socketPort}`);
});

test('a page from a static host talks to a separate socket server and survives its restart', async ({
	page,
	startServer
}) => {
	test.setTimeout(180_000);
	const server: TestServer = await startServer(
		{ NODE_ENV: 'production', ALLOWED_ORIGINS: host.url },
		socketPort,
		true
	);
	const clientId = uniqueId('e2e-static');
	await recordBadgeStates(page);
	await page.goto(`${host.url}/?clientId=${clientId}`);
	await expectState(page, 'open');
	await expect(page.getByTestId('client-id')).toContainText(clientId);

	await say(page, 'hello from a static page');
	const first = page.getByTestId('message-avatar').last();
	await expect(first).toHaveAttribute('data-status', 'done', { timeout: 20_000 });

	await server.restart(); // 1012, then the page reconnects by itself
	await expect.poll(() => badgeStates(page), { timeout: 30_000 }).toContain('backingOff');
	await expectState(page, 'open', 60_000);
	await say(page, 'still there?');
	await expect(page.getByTestId('message-avatar')).toHaveCount(2, { timeout: 20_000 });
	await expect(page.getByTestId('message-avatar').last()).toHaveAttribute('data-status', 'done', {
		timeout: 20_000
	});

	// What an operator sees of it (curl …/metrics): this run's chat, answered.
	const metrics = await (await fetch(`${server.url}/metrics`)).text();
	expect(metrics).toMatch(/^talkline_replies_total\{outcome="finished"\} [1-9]/m);
	expect(metrics).toMatch(/^talkline_connections_open 1$/m);
});

test('a socket server in production keeps out pages it was not told about', async ({
	page,
	startServer
}) => {
	test.setTimeout(180_000);
	await startServer(
		{ NODE_ENV: 'production', ALLOWED_ORIGINS: 'https://talkline.example' },
		socketPort,
		true
	);
	await page.goto(`${host.url}/?clientId=${uniqueId('e2e-static-refused')}`);
	await expectState(page, 'backingOff', 60_000);
});

test('the /dev pages: served with DEV_PAGES=1 (this suite’s server), 404 in production without it', async ({
	request,
	startServer
}) => {
	expect((await request.get('/dev/avatar')).status()).toBe(200);
	test.setTimeout(180_000);
	const production = await startServer({ NODE_ENV: 'production', DEV_PAGES: undefined }, 0, true);
	expect((await fetch(`${production.url}/dev/avatar`)).status).toBe(404);
	expect((await fetch(`${production.url}/dev/inspector`)).status).toBe(404);
	expect((await fetch(`${production.url}/`)).status).toBe(200);
});
