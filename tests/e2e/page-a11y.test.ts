/**
 * axe-core on the real talk page (WCAG 2.0/2.1/2.2 A and AA, and axe's best practices), at
 * 1280 px and 390 px wide, in the light and the dark colour scheme: in each of the connection
 * machine's six states, after a streamed reply, and with the inspector open.
 */
import type { Page } from '@playwright/test';
import { startFaultProxy } from '../../support/fault-proxy';
import { axeViolations, expectNoAxeViolations, LOOKS, showAs } from './a11y-support';
import {
	badge,
	badgeStates,
	expect,
	expectState,
	recordBadgeStates,
	test,
	uniqueId
} from './page-support';

// axe and the page's avatar (WebGL in software) share a busy machine: give actions room.
test.use({ actionTimeout: 30_000 });

/** Tries at one width and scheme before giving up on holding a state through one axe run. */
const HOLD_TRIES = 4;

/**
 * axe in `state` at every width and colour scheme, with the page's clock running as usual. Each
 * run must begin and end in `state` with no other state recorded by the badge in between (so axe
 * saw that state and nothing else); when the state moved on meanwhile (a connect timeout, the
 * keepalive), `enter` brings the page back into it and that run is repeated.
 */
async function checkHeld(page: Page, state: string, enter: () => Promise<void>): Promise<void> {
	await enter();
	for (const look of LOOKS) {
		const where = `${state} at ${look.viewport.width} px, ${look.colorScheme} scheme`;
		let held = false;
		for (let tries = 0; !held && tries < HOLD_TRIES; tries++) {
			if ((await badge(page).getAttribute('data-state')) !== state) await enter();
			const before = (await badgeStates(page)).length;
			await expectState(page, state);
			await showAs(page, look);
			const violations = await axeViolations(page);
			held =
				(await badge(page).getAttribute('data-state')) === state &&
				(await badgeStates(page)).length === before;
			if (held) expect(violations, `axe on ${where}`).toEqual([]);
			else {
				test.info().annotations.push({
					type: 'state moved during axe',
					description: `${where}: ${(await badgeStates(page)).slice(before).join(' -> ')}`
				});
			}
		}
		expect(held, `the page held ${state} through one axe run at ${where}`).toBe(true);
	}
}

test('the page has no axe violations in any of the six connection states', async ({
	page,
	context,
	startServer
}) => {
	test.setTimeout(900_000); // 24 runs of axe beside a software-rendered avatar
	const server = await startServer({}, 0, true);
	// The page and its socket go through a proxy, so the network can hold a connect or go silent.
	const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: server.port } });
	try {
		await recordBadgeStates(page);
		await page.goto(proxy.url(`/?clientId=${uniqueId('a11y-states')}`));
		await expect(page.getByTestId('avatar')).toHaveAttribute('data-avatar-status', 'ready', {
			timeout: 60_000
		});

		// Open: the server's pings keep it open.
		await checkHeld(page, 'open', () => expectState(page, 'open', 60_000));

		// Backing off while the browser is offline: no attempt is made until it is online again
		// (connection.md rule 12). The reset drops the socket, should going offline not.
		await checkHeld(page, 'backingOff', async () => {
			await context.setOffline(true);
			proxy.reset();
			await expectState(page, 'backingOff', 60_000);
		});

		// Connecting: back online, the attempt starts at once and the proxy holds it unanswered
		// until the connect timeout (20 s); then the next attempt after a backoff is held again.
		await checkHeld(page, 'connecting', async () => {
			proxy.setMode('hold');
			await context.setOffline(false);
			await expectState(page, 'connecting', 60_000);
		});

		// Stale: the link goes silent (blackhole) on an open socket; stale after 15 s of silence,
		// until the keepalive gives the socket up at 60 s.
		await checkHeld(page, 'stale', async () => {
			proxy.setMode('pass');
			await expectState(page, 'open', 120_000);
			proxy.setMode('blackhole');
			await expectState(page, 'stale', 60_000);
		});

		// Idle: the user disconnected; nothing moves it on.
		await checkHeld(page, 'idle', async () => {
			proxy.setMode('pass');
			if ((await badge(page).getAttribute('data-state')) !== 'open') {
				await expectState(page, 'open', 120_000);
			}
			await page.getByTestId('connection-button').click();
			await expectState(page, 'idle');
		});

		// Failed: the server refuses an invalid client id for good (4400); no attempt follows.
		await checkHeld(page, 'failed', async () => {
			await page.goto(proxy.url('/?clientId=not%20valid!'));
			await expectState(page, 'failed', 60_000);
			await expect(page.getByTestId('connection-reason')).toContainText('4400');
		});
	} finally {
		await proxy.close();
	}
});

test('the page has no axe violations after a streamed reply', async ({ page }) => {
	test.setTimeout(300_000);
	await page.goto(`/?clientId=${uniqueId('a11y-reply')}`);
	await expectState(page, 'open');
	await page.getByTestId('chat-input').fill('hello');
	await page.getByTestId('chat-input').press('Enter');
	const reply = page.getByTestId('message-avatar').last();
	await expect(reply).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
	await expect(page.getByTestId('message-user').last()).toHaveAttribute('data-status', 'delivered');
	await expectNoAxeViolations(page, 'a streamed reply');
});

test('the page has no axe violations with the inspector open', async ({ page }) => {
	test.setTimeout(300_000);
	await page.goto(`/?clientId=${uniqueId('a11y-inspector')}`);
	await expectState(page, 'open');
	await page.getByTestId('inspector-toggle').click();
	await expect(page.getByTestId('statechart-view')).toHaveAttribute('data-ready', 'true', {
		timeout: 30_000
	});
	await expectNoAxeViolations(page, 'the open inspector');
});
