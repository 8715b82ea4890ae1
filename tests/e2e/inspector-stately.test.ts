import { expect, test } from '@playwright/test';

test.beforeEach(async ({ context }) => {
	// No test may reach the internet: Stately's hosted inspector counts as unreachable.
	await context.route('https://stately.ai/**', (route) => route.abort('internetdisconnected'));
});

test('an inspector that never answers is reported as unreachable', async ({ page }) => {
	await page.clock.install();
	await page.goto('/dev/inspector');
	const popup = page.waitForEvent('popup');
	await page.getByTestId('inspector-inspect').click();
	await popup;
	const notice = page.getByTestId('inspector-panel').getByTestId('inspector-notice');
	await expect(notice).toHaveAttribute('data-status', 'starting');
	await page.clock.runFor(15_000);
	await expect(notice).toHaveAttribute('data-status', 'unreachable');
	await expect(notice).toContainText('did not answer');
});

test('a blocked inspector pop-up is reported and the page carries on', async ({ page }) => {
	// Headless Chromium never blocks pop-ups, so the blocker is played by its one visible effect:
	// window.open returns null.
	await page.addInitScript(() => {
		window.open = () => null;
	});
	await page.goto('/dev/inspector?inspect');
	const notice = page.getByTestId('inspector-notice').first();
	await expect(notice).toHaveAttribute('data-status', 'blocked');
	await expect(notice).toContainText('pop-up');
	await page.getByTestId('inspector-send').and(page.locator('[data-event=CONNECT]')).click();
	await expect(page.getByTestId('inspector-state')).not.toHaveText('idle');
});
