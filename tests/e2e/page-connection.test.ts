/**
 * The talk page's connection, through the real built app, a real server process and Chromium:
 * the badge and the buttons follow the machine through every state the spec's table names.
 */
import {
	advance,
	advanceUntil,
	badge,
	badgeStates,
	expect,
	expectState,
	pageUrl,
	pauseClock,
	recordBadgeStates,
	test,
	type TestServer
} from './page-support';

async function connections(target: TestServer): Promise<number> {
	const health = (await (await fetch(`${target.url}/healthz`)).json()) as { connections: number };
	return health.connections;
}

test('on load the badge reaches open and shows the client id the server confirmed', async ({
	page
}) => {
	await recordBadgeStates(page);
	await page.goto('/?clientId=e2e-load');
	await expectState(page, 'open');
	await expect(badge(page)).toContainText('Connected');
	await expect(page.getByTestId('client-id')).toHaveText('e2e-load');
	await expect(page.getByTestId('connection-button')).toHaveText('Disconnect');
	// The badge follows transitions taken before it first rendered (the actor starts and sends
	// CONNECT in onMount): it never shows the idle state the actor started in.
	const states = await badgeStates(page);
	expect(states).not.toContain('idle');
	expect(states.at(-1)).toBe('open');
});

test('a client id is made once per browser and kept', async ({ page }) => {
	await page.goto('/');
	await expectState(page, 'open');
	const made = await page.getByTestId('client-id').textContent();
	expect(made).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
	await page.reload();
	await expectState(page, 'open');
	await expect(page.getByTestId('client-id')).toHaveText(made ?? '');
});

test('Disconnect goes idle and nothing reconnects for 60 s; Connect opens again', async ({
	page,
	startServer
}) => {
	const server = await startServer();
	await page.clock.install();
	await page.goto(pageUrl(server, 'e2e-disconnect'));
	await expectState(page, 'open');
	await page.getByTestId('connection-button').click();
	await expectState(page, 'idle');
	await expect(badge(page)).toContainText('Disconnected');
	await expect(page.getByTestId('connection-button')).toHaveText('Connect');
	await expect.poll(() => connections(server)).toBe(0);

	for (let second = 0; second < 60; second += 5) {
		await advance(page, 5_000, 1_000);
		await expect(badge(page)).toHaveAttribute('data-state', 'idle');
		expect(await connections(server)).toBe(0);
	}

	await page.getByTestId('connection-button').click();
	await expectState(page, 'open');
	await expect.poll(() => connections(server)).toBe(1);
});

test('a restarted server: the badge counts down in backingOff and returns to open by itself', async ({
	page,
	startServer
}) => {
	const server = await startServer();
	await page.clock.install();
	await page.goto(pageUrl(server, 'e2e-restart'));
	await expectState(page, 'open');
	await pauseClock(page); // the countdown below must not run out while it is being read

	await server.restart(); // SIGTERM: every socket closed with 1012 "service restart"
	await expectState(page, 'backingOff');
	await expect(badge(page)).toHaveAttribute('data-attempt', '0');
	await expect(badge(page)).toHaveAttribute('data-countdown', /^[0-9]+$/);
	await expect(badge(page)).toContainText(/Reconnecting in \d+s \(attempt 1 of 10\)/);
	await expect(page.getByTestId('connection-reason')).toContainText('1012');
	await expect(page.getByTestId('retry-button')).toBeVisible();

	await advanceUntil(page, 'open', 60_000, 250);
	await expect(page.getByTestId('client-id')).toHaveText('e2e-restart');
});

test('with the server down the badge fails after attempt 10, and Retry reconnects once it is back', async ({
	page,
	startServer
}) => {
	const server = await startServer();
	await page.clock.install();
	await page.goto(pageUrl(server, 'e2e-down'));
	await expectState(page, 'open');

	await server.kill();
	await expectState(page, 'backingOff');
	// Nominal schedule 1+2+4+8+16+30*5 s = 181 s; jitter only shortens it.
	await advanceUntil(page, 'failed', 200_000, 1_000);
	await expect(badge(page)).toHaveAttribute('data-attempt', '10');
	await expect(badge(page)).toContainText('Failed');
	await expect(page.getByTestId('connection-reason')).toContainText('Gave up after 10 attempts');
	await expect(page.getByTestId('connection-button')).toHaveText('Connect (retry)');

	// Failed makes no more attempts by itself.
	await advance(page, 60_000, 5_000);
	await expect(badge(page)).toHaveAttribute('data-state', 'failed');

	await server.restart();
	await page.getByTestId('connection-button').click();
	await expectState(page, 'open');
	await expect(badge(page)).toHaveAttribute('data-attempt', '0');
	// The avatar's code and its picker load after the first open, just as the server went away:
	// whatever did not arrive then comes once the connection is back.
	await expect(page.getByTestId('avatar')).toHaveAttribute('data-avatar-status', 'ready');
	await expect(page.getByTestId('avatar-picker')).toBeVisible();
});

test("the avatar's code cut off on its way arrives once the server is back: the page loads again, once", async ({
	page,
	startServer
}) => {
	const server = await startServer();
	// The first load's three.js chunk is cut off, as when the server dies while sending it.
	// Chromium keeps that failure for the page's life: import() of it fails without a request.
	let cut = true;
	await page.route('**/_app/immutable/**/*.js', async (route) => {
		const response = await route.fetch();
		const body = await response.text();
		if (cut && body.includes('THREE.WebGLRenderer')) return route.abort('connectionreset');
		return route.fulfill({ response, body });
	});
	await page.goto(pageUrl(server, 'e2e-cut-code'));
	await expectState(page, 'open');
	await expect(page.getByTestId('avatar')).toHaveAttribute('data-avatar-status', 'error');
	await page.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));
	cut = false;

	// The page tries again when the connection opens after being down.
	await server.restart();
	await expect(page.getByTestId('avatar')).toHaveAttribute('data-avatar-status', 'ready');
	await expectState(page, 'open');
	// It took a new page: the old one is gone, and the avatar came with the new one.
	expect(await page.evaluate(() => 'loadedOnce' in window)).toBe(false);
	await expect(page.getByTestId('avatar-picker')).toBeVisible();
});

test('the server closing with 1008 (rate limit) fails at once, with the reason', async ({
	page,
	startServer
}) => {
	// Two messages in the bucket: `resume` takes one, the first chat the other.
	const server = await startServer({ RATE_LIMIT_BURST: '2', RATE_LIMIT_PER_SEC: '0.01' });
	await recordBadgeStates(page);
	await page.goto(pageUrl(server, 'e2e-policy'));
	await expectState(page, 'open');
	const input = page.getByTestId('chat-input');
	await input.fill('one');
	await input.press('Enter');
	await input.fill('two');
	await input.press('Enter');

	await expectState(page, 'failed');
	await expect(page.getByTestId('connection-reason')).toContainText('1008');
	const states = await badgeStates(page);
	expect(states.slice(states.lastIndexOf('open'))).toEqual(['open', 'failed']);
});

test('an invalid client id is refused with 4400 and the page says why', async ({ page }) => {
	await page.goto('/?clientId=not%20valid!');
	await expectState(page, 'failed');
	await expect(page.getByTestId('connection-reason')).toContainText('4400');
	await expect(page.getByTestId('connection-button')).toHaveText('Connect (retry)');
});

test('going offline pauses reconnecting and coming online reconnects at once', async ({
	page,
	context,
	startServer
}) => {
	const server = await startServer();
	await page.clock.install();
	await page.goto(pageUrl(server, 'e2e-offline'));
	await expectState(page, 'open');

	await context.setOffline(true);
	await server.restart(); // drop the socket while the browser says it is offline
	await expectState(page, 'backingOff');
	await expect(badge(page)).toContainText('Offline');
	await advance(page, 120_000, 5_000);
	await expect(badge(page)).toHaveAttribute('data-state', 'backingOff');
	await expect(badge(page)).toHaveAttribute('data-attempt', '0');

	await context.setOffline(false);
	await expectState(page, 'open');
});
