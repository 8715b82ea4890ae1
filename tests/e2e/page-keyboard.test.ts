/**
 * The talk page walked with the keyboard alone (Tab, Shift+Tab, Enter, Space; typing in the
 * message box): every control is reached in reading order, each action leaves the focus on a
 * visible control, and nothing focused is hidden or covered.
 */
import type { Page } from '@playwright/test';
import { focusedElement, type FocusedElement } from './a11y-support';
import { expect, expectState, pageUrl, pauseClock, test, uniqueId } from './page-support';

// The page's avatar (WebGL in software) and the inspector's layout share a busy machine.
test.use({ actionTimeout: 60_000 });

/** The page's controls in the order a keyboard user meets them (others may sit between). */
const READING_ORDER = [
	'connection-button',
	'mute-button',
	'transcript',
	'mic-button',
	'chat-input',
	'camera-button',
	'inspector-toggle'
];

/**
 * Presses `key` and expects the focus to settle on a visible, uncovered element (the page may move
 * it on purpose within the same moment, e.g. out of a closing dialog); returns the element's id.
 */
async function pressAndCheck(page: Page, key: string, where: string): Promise<string> {
	await page.keyboard.press(key);
	let focused: FocusedElement | null = null;
	await expect
		.poll(
			async () => {
				focused = await focusedElement(page);
				return focused && { visible: focused.visible, onTop: focused.onTop };
			},
			{ message: `${where}: after ${key} the focus is on a visible, uncovered element` }
		)
		.toEqual({ visible: true, onTop: true });
	return (focused as FocusedElement | null)?.id ?? '';
}

/** Presses Tab (or `key`) until `testId` has the focus, checking every stop on the way. */
async function tabTo(page: Page, testId: string, key = 'Tab', limit = 20): Promise<void> {
	for (let i = 0; i < limit; i += 1) {
		if ((await pressAndCheck(page, key, `${key} to ${testId}`)) === testId) return;
	}
	throw new Error(`${testId} was not reached within ${limit} presses of ${key}`);
}

/** The test ids (or tags) of every enabled control outside dialogs, in document order. */
function pageControls(page: Page): Promise<string[]> {
	return page.evaluate(() =>
		[...document.querySelectorAll<HTMLElement>('button, input, a[href], [tabindex]')]
			.filter(
				(element) =>
					element.tabIndex >= 0 &&
					!element.matches(':disabled') &&
					element.closest('dialog') === null &&
					element.checkVisibility()
			)
			.map((element) => element.dataset.testid ?? element.tagName.toLowerCase())
	);
}

test('Tab reaches every control of the page in reading order, each visible and uncovered', async ({
	page
}) => {
	await page.goto(`/?clientId=${uniqueId('keys-order')}`);
	await expectState(page, 'open');
	// The avatar picker arrives after the page shows open (a lazy chunk): walk the whole page.
	await expect(page.getByTestId('avatar-choose')).toBeVisible({ timeout: 30_000 });
	const stops: string[] = [];
	for (let i = 0; i < 20; i += 1) {
		const id = await pressAndCheck(page, 'Tab', `stop ${i + 1}`);
		if (stops.includes(id)) break; // round again (past the browser's own UI)
		stops.push(id);
		if (id === 'inspector-toggle') break;
	}
	expect(stops.filter((id) => READING_ORDER.includes(id))).toEqual(READING_ORDER);
	expect(stops, 'every enabled control is a Tab stop').toEqual(await pageControls(page));
});

test('the connection control keeps the focus through Disconnect, Connect and Retry now', async ({
	page,
	startServer
}) => {
	test.setTimeout(180_000);
	const server = await startServer();
	const control = page.getByTestId('connection-button');
	await page.clock.install();
	await page.goto(pageUrl(server, uniqueId('keys-connection')));
	await expectState(page, 'open');
	await pauseClock(page); // a scheduled reconnect waits until the test moves time on

	await tabTo(page, 'connection-button');
	await expect(control).toHaveText('Disconnect');
	expect(await pressAndCheck(page, 'Enter', 'Disconnect')).toBe('connection-button');
	await expectState(page, 'idle');
	await expect(control).toBeFocused();
	await expect(control).toHaveText('Connect');
	expect(await pressAndCheck(page, 'Space', 'Connect')).toBe('connection-button');
	await expectState(page, 'open');
	await expect(control).toBeFocused();
	await expect(control).toHaveText('Disconnect');

	// The server dies: a reconnect is scheduled (and held by the paused clock); Retry now appears.
	await server.kill();
	await expectState(page, 'backingOff');
	await expect(control).toBeFocused();
	await tabTo(page, 'retry-button');
	// Refused at once (the server is gone): the next attempt is scheduled, the focus stays put.
	expect(await pressAndCheck(page, 'Enter', 'Retry now')).toBe('connection-button');
	await expectState(page, 'backingOff');
	await expect(control).toBeFocused();

	await server.restart();
	await tabTo(page, 'retry-button');
	await page.keyboard.press('Space');
	await expectState(page, 'open');
	await expect(page.getByTestId('retry-button')).toHaveCount(0);
	await expect(control).toBeFocused();
	expect((await focusedElement(page))?.visible).toBe(true);
});

test('sending keeps the focus in the message box; the sound toggle keeps its name', async ({
	page
}) => {
	await page.goto(`/?clientId=${uniqueId('keys-send')}`);
	await expectState(page, 'open');
	const input = page.getByTestId('chat-input');

	await tabTo(page, 'chat-input');
	await page.keyboard.type('hello');
	expect(await pressAndCheck(page, 'Enter', 'Enter in the message box')).toBe('chat-input');
	await expect(page.getByTestId('message-user')).toHaveCount(1);

	await page.keyboard.type('what time is it');
	await tabTo(page, 'send-button');
	// Send disables itself as the draft empties; the focus goes back to the message box.
	expect(await pressAndCheck(page, 'Space', 'Send')).toBe('chat-input');
	await expect(page.getByTestId('message-user')).toHaveCount(2);
	await expect(input).toHaveValue('');

	await tabTo(page, 'mute-button', 'Shift+Tab');
	const sound = page.getByRole('button', { name: 'Sound', exact: true });
	await expect(sound).toBeFocused();
	await expect(sound).toHaveAttribute('aria-pressed', 'true');
	expect(await pressAndCheck(page, 'Enter', 'Sound')).toBe('mute-button');
	await expect(sound).toHaveAttribute('aria-pressed', 'false');
	await expect(sound).toHaveAccessibleName('Sound');
});

test('the inspector opens as a dialog from its button, keeps Tab inside, and gives the focus back', async ({
	page
}) => {
	test.setTimeout(180_000);
	await page.goto(`/?clientId=${uniqueId('keys-inspector')}`);
	await expectState(page, 'open');
	const toggle = page.getByTestId('inspector-toggle');
	const dialog = page.getByRole('dialog', { name: /Connection inspector/ });

	await tabTo(page, 'inspector-toggle');
	await page.keyboard.press('Enter'); // the first press also loads the panel's code
	await expect(dialog).toBeVisible({ timeout: 120_000 });
	await expect(dialog.getByRole('heading', { level: 2 })).toBeFocused();
	await expect(page.getByTestId('statechart-view')).toHaveAttribute('data-ready', 'true', {
		timeout: 60_000
	});

	for (let i = 0; i < 16; i += 1) {
		await pressAndCheck(page, 'Tab', `Tab ${i + 1} in the inspector`);
		expect((await focusedElement(page))?.inDialog, `Tab ${i + 1} stays in the dialog`).toBe(true);
	}
	// The close button is the dialog's first stop: after the last, Tab comes round to it.
	await tabTo(page, 'inspector-close');
	expect(await pressAndCheck(page, 'Enter', 'Close inspector')).toBe('inspector-toggle');
	await expect(dialog).toBeHidden();

	// Opened again with Space, Escape closes it at once: the focus is already inside.
	await page.keyboard.press('Space');
	await expect(dialog).toBeVisible();
	// The earlier close's event, when a busy page handles it after the reopen, leaves it open.
	await dialog.evaluate((element) => element.dispatchEvent(new Event('close')));
	await expect(dialog).toHaveJSProperty('open', true);
	await expect(dialog).toBeVisible();
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	await expect(toggle).toBeFocused();
});
