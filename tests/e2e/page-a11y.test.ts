/**
 * axe-core on the real talk page (WCAG 2.0/2.1/2.2 A and AA, and axe's best practices), at
 * 1280 px and 390 px wide, in the light and the dark colour scheme: in each of the connection
 * machine's six states, after a streamed reply, and with the inspector open.
 */
import { expectNoAxeViolations } from './a11y-support';
import {
	advanceUntil,
	badge,
	expect,
	expectState,
	pageUrl,
	pauseClock,
	test,
	uniqueId
} from './page-support';

// axe and the page's avatar (WebGL in software) share a busy machine: give actions room.
test.use({ actionTimeout: 30_000 });

// FIXME: axe never finishes on the page under Playwright's paused fake clock (it passes each
// rule's result on with setTimeout 0; firing the due timers with clock.runFor(0) meanwhile did not
// unblock it in a 15-minute run). The states need another way to hold still; until then this is
// not run, and the six states are not covered by axe.
test.fixme('the page has no axe violations in any of the six connection states', async ({
	page,
	startServer
}) => {
	test.setTimeout(900_000); // 24 runs of axe beside a software-rendered avatar
	const server = await startServer();
	/** axe in `state`, which the paused clock holds (checked before and after). */
	const check = async (state: string) => {
		await expectState(page, state);
		await expectNoAxeViolations(page, state, { pausedClock: true });
		await expectState(page, state);
	};
	await page.clock.install();
	await page.goto(pageUrl(server, uniqueId('a11y-states')));
	await expectState(page, 'open');
	await pauseClock(page); // each state stays put until the test moves time on
	await check('open');

	// Frozen server: the socket stays open and silent.
	server.freeze();
	await advanceUntil(page, 'stale', 20_000, 1_000);
	await check('stale');

	// 60 s of silence: the client gives up on the socket (4000) and schedules a reconnect.
	await advanceUntil(page, 'backingOff', 60_000, 5_000);
	await expect(badge(page)).toHaveAttribute('data-countdown', /^[0-9]+$/);
	await check('backingOff');

	// The reconnect hangs in the frozen server's backlog.
	await advanceUntil(page, 'connecting', 5_000, 250);
	await check('connecting');

	// Killed: every attempt is refused until the machine gives up.
	await server.kill();
	await advanceUntil(page, 'failed', 400_000, 5_000);
	await check('failed');

	await server.restart();
	await page.getByTestId('connection-button').dispatchEvent('click');
	await expectState(page, 'open');
	await page.getByTestId('connection-button').dispatchEvent('click');
	await expectState(page, 'idle');
	await check('idle');
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
