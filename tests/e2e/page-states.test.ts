/**
 * The page in each of the machine's six states, driven from outside (the server frozen, killed,
 * restarted; fake time), with a screenshot of each saved as an artifact under
 * test-results/screenshots/ and the avatar's face checked against the state.
 */
import path from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import {
	advance,
	advanceUntil,
	badge,
	expect,
	expectState,
	pageUrl,
	pauseClock,
	test
} from './page-support';

/**
 * Screenshots the page in `state` after `settleMs` of fake time, in which the face eases into the
 * state's expression; it must end before the state's own next timer (a backoff of 1 s with jitter
 * may fire after 500 ms).
 */
async function capture(
	page: Page,
	testInfo: TestInfo,
	index: number,
	state: string,
	settleMs = 1_000
) {
	await expectState(page, state);
	await expect(page.getByTestId('avatar')).toHaveAttribute('data-state', state);
	await advance(page, settleMs, settleMs / 2);
	await expectState(page, state);
	const file = path.join(testInfo.project.outputDir, 'screenshots', `${index}-${state}.png`);
	await page.screenshot({ path: file, timeout: 30_000 }); // SwiftShader is slow on a busy machine
	await testInfo.attach(`${index}-${state}`, { path: file, contentType: 'image/png' });
}

test('the page in each of the six states, with a screenshot of each', async ({
	page,
	startServer
}, testInfo) => {
	test.setTimeout(180_000);
	const server = await startServer();
	await page.setViewportSize({ width: 1100, height: 720 });
	await page.clock.install();
	await page.goto(pageUrl(server, 'e2e-states'));
	await expect(page.getByTestId('avatar')).toHaveAttribute('data-avatar-status', 'ready', {
		timeout: 30_000
	});
	await pauseClock(page); // each state stays put until the test moves time on

	await capture(page, testInfo, 1, 'open');
	await expect(badge(page)).toContainText('Connected');

	// Frozen server: the socket stays open and silent.
	server.freeze();
	await advanceUntil(page, 'stale', 20_000, 1_000);
	await expect(badge(page)).toContainText('Unstable');
	await capture(page, testInfo, 2, 'stale');

	// 60 s of silence: the client gives up on the socket (4000) and schedules a reconnect.
	await advanceUntil(page, 'backingOff', 60_000, 5_000);
	await expect(page.getByTestId('connection-reason')).toContainText('4000');
	await capture(page, testInfo, 3, 'backingOff', 400);

	// The reconnect hangs in the frozen server's backlog.
	await advanceUntil(page, 'connecting', 5_000, 250);
	await capture(page, testInfo, 4, 'connecting');

	// Killed: every attempt is refused until the machine gives up.
	await server.kill();
	await advanceUntil(page, 'failed', 400_000, 5_000);
	await expect(badge(page)).toHaveAttribute('data-attempt', '10');
	await capture(page, testInfo, 5, 'failed');

	await server.restart();
	await page.getByTestId('connection-button').click();
	await expectState(page, 'open');
	await page.getByTestId('connection-button').click();
	await expect(badge(page)).toContainText('Disconnected');
	await capture(page, testInfo, 6, 'idle');
});
