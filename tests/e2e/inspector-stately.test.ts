import { expect, test } from '@playwright/test';
import { expectOnlyActive, inspectedMachine, startTestServer } from './inspector-support';

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

test('?inspect=ws://… sends the actor, its events and its snapshots to a local inspector server', async ({
	page
}) => {
	const app = await startTestServer();
	const inspector = await startTestServer();
	inspector.onConnection = () => {};
	try {
		const query = new URLSearchParams({ inspect: inspector.url('x'), ws: app.url('e2e-stately') });
		await page.goto(`/dev/inspector?${query}`);
		const notice = page.getByTestId('inspector-notice').first();
		await expect(notice).toHaveAttribute('data-status', 'open');
		await page.locator('[data-testid=inspector-send][data-event=CONNECT]').click();
		await expectOnlyActive(page, 'connection.session.live.open', [
			'connection',
			'connection.session',
			'connection.session.live'
		]);

		const seen = () => inspector.received as Array<Record<string, unknown>>;
		const snapshotIn = (value: unknown) => (e: Record<string, unknown>) =>
			e.type === '@xstate.snapshot' &&
			JSON.stringify((e.snapshot as { value?: unknown })?.value) === JSON.stringify(value);
		await expect.poll(() => seen().some(snapshotIn({ session: { live: 'open' } }))).toBe(true);

		const actor = seen().find((e) => e.type === '@xstate.actor' && !e.parentId);
		expect(actor).toBeDefined();
		expect(JSON.parse(String(actor!.definition))).toMatchObject({ id: inspectedMachine.id });
		const root = actor!.sessionId;
		const eventsTo = (type: string) =>
			seen().filter(
				(e) =>
					e.type === '@xstate.event' &&
					e.sessionId === root &&
					(e.event as { type?: string }).type === type
			);
		expect(eventsTo('CONNECT')).toHaveLength(1);
		expect(eventsTo('socket.open')).toHaveLength(1);
		expect(seen().some(snapshotIn({ session: 'connecting' }))).toBe(true);
	} finally {
		await app.close();
		await inspector.close();
	}
});
