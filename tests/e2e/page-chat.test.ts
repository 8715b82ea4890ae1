/**
 * Talking on the page, through the real built app and a real server: streamed answers with
 * captions and a moving mouth, delivery marks, messages typed offline, barge-in, and the
 * microphone and camera saying why they cannot work in a browser that has neither.
 */
import type { Page } from '@playwright/test';
import { expect, expectState, pageUrl, test, uniqueId } from './page-support';

/** Records the avatar's data-speaking and data-viseme values as they change. */
async function recordAvatar(page: Page): Promise<void> {
	await page.addInitScript(() => {
		const seen = { speaking: [] as string[], visemes: [] as string[] };
		Object.assign(window, { __avatar: seen });
		new MutationObserver((records) => {
			for (const record of records) {
				const target = record.target as Element;
				if (target.getAttribute('data-testid') !== 'avatar') continue;
				const value = target.getAttribute(record.attributeName ?? '') ?? '';
				const list = record.attributeName === 'data-speaking' ? seen.speaking : seen.visemes;
				if (list.at(-1) !== value) list.push(value);
			}
		}).observe(document, {
			subtree: true,
			attributes: true,
			attributeFilter: ['data-speaking', 'data-viseme']
		});
	});
}

function avatarRecord(page: Page): Promise<{ speaking: string[]; visemes: string[] }> {
	return page.evaluate(
		() => (window as unknown as { __avatar: { speaking: string[]; visemes: string[] } }).__avatar
	);
}

async function say(page: Page, text: string): Promise<void> {
	await page.getByTestId('chat-input').fill(text);
	await page.getByTestId('send-button').click();
}

test('a chat message gets a streamed answer: caption, speaking and a moving mouth', async ({
	page
}) => {
	await recordAvatar(page);
	await page.goto(`/?clientId=${uniqueId('e2e-chat')}`);
	await expectState(page, 'open');
	await say(page, 'Hello! Who are you, and how is our connection?');

	const user = page.getByTestId('message-user').last();
	await expect(user).toContainText('Hello! Who are you');
	await expect(user).toHaveAttribute('data-status', 'delivered');
	await expect(page.getByTestId('caption')).not.toBeEmpty();
	await expect(page.getByTestId('avatar')).toHaveAttribute('data-speaking', 'true');
	const answer = page.getByTestId('message-avatar').last();
	await expect(answer).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
	await expect(answer).not.toBeEmpty();
	await expect(page.getByTestId('avatar')).toHaveAttribute('data-speaking', 'false', {
		timeout: 30_000
	});

	const seen = await avatarRecord(page);
	expect(seen.speaking).toContain('true');
	const shapes = new Set(seen.visemes.filter((viseme) => viseme !== 'sil'));
	expect(shapes.size, `visemes seen: ${seen.visemes.join(' ')}`).toBeGreaterThanOrEqual(3);
	await expect(page.getByTestId('avatar')).not.toHaveAttribute('data-mood', 'thinking');
});

test('text typed while disconnected stays pending and is sent when the connection opens', async ({
	page
}) => {
	await page.goto(`/?clientId=${uniqueId('e2e-pending')}`);
	await expectState(page, 'open');
	await page.getByTestId('connection-button').click();
	await expectState(page, 'idle');

	await say(page, 'What time is it?');
	const user = page.getByTestId('message-user').last();
	await expect(user).toHaveAttribute('data-status', 'pending');
	await page.reload(); // still pending after a reload: the outbox is in localStorage
	await expectState(page, 'open');
	await expect(page.getByTestId('message-user').last()).toHaveAttribute('data-status', 'delivered');
	await expect(page.getByTestId('message-avatar').last()).toHaveAttribute('data-status', 'done', {
		timeout: 20_000
	});
	await expect(page.getByTestId('message-user')).toHaveCount(1);
});

test('typing while the avatar talks interrupts it', async ({ page, startServer }) => {
	const server = await startServer({ BRAIN_CHUNK_DELAY_MS: '400' });
	await page.goto(pageUrl(server, 'e2e-barge-in'));
	await expectState(page, 'open');
	await say(page, 'Tell me everything about yourself and this connection, please.');
	await expect(page.getByTestId('avatar')).toHaveAttribute('data-speaking', 'true', {
		timeout: 15_000
	});

	await page.getByTestId('chat-input').pressSequentially('wait');
	await expect(page.getByTestId('avatar')).toHaveAttribute('data-speaking', 'false');
	await expect(page.getByTestId('message-avatar').last()).toHaveAttribute(
		'data-status',
		'interrupted'
	);
});

test('the conversation survives a reload, each answer shown once', async ({ page }) => {
	await page.goto(`/?clientId=${uniqueId('e2e-reload')}`);
	await expectState(page, 'open');
	await say(page, 'Hello there');
	await expect(page.getByTestId('message-avatar')).toHaveCount(1);
	await expect(page.getByTestId('message-avatar').last()).toHaveAttribute('data-status', 'done', {
		timeout: 20_000
	});
	const answer = await page.getByTestId('message-avatar').last().textContent();

	await page.reload();
	await expectState(page, 'open');
	await expect(page.getByTestId('message-user')).toHaveCount(1);
	await expect(page.getByTestId('message-user')).toContainText('Hello there');
	await expect(page.getByTestId('message-user')).toHaveAttribute('data-status', 'delivered');
	await expect(page.getByTestId('message-avatar')).toHaveCount(1);
	await expect(page.getByTestId('message-avatar')).toHaveText(answer ?? '');
});

test('the microphone and the camera say why they cannot work here', async ({ page }) => {
	await page.goto(`/?clientId=${uniqueId('e2e-devices')}`);
	await expectState(page, 'open');

	await page.getByTestId('mic-button').click();
	await expect(page.getByTestId('mic-status')).toHaveText(
		/denied|not available|needs the network|No microphone/
	);
	await page.getByTestId('camera-button').click();
	await expect(page.getByTestId('camera-status')).toHaveText(
		/No camera|denied|cannot use a camera|in use/
	);
	// Nothing broke: the page still talks.
	await say(page, 'Still there?');
	await expect(page.getByTestId('message-avatar').last()).toHaveAttribute('data-status', 'done', {
		timeout: 20_000
	});
});

test('without WebGL the avatar says so, and no avatar picker is offered', async ({ page }) => {
	// This project's Chromium runs with --disable-3d-apis.
	await page.goto(`/?clientId=${uniqueId('e2e-no-webgl')}`);
	await expectState(page, 'open');
	const avatar = page.getByTestId('avatar');
	await expect(avatar).toHaveAttribute('data-avatar-status', 'unsupported');
	await expect(avatar).toContainText('this browser has no WebGL');
	// Everything the page asks for once it is open has come; a picker would be among it.
	await page.waitForLoadState('networkidle');
	await expect(page.getByTestId('avatar-picker')).toHaveCount(0);
});

test('an answer is text, never HTML', async ({ page }) => {
	await page.goto(`/?clientId=${uniqueId('e2e-text')}`);
	await expectState(page, 'open');
	await say(page, '<img src=x onerror="document.title=1"> <b>bold</b>');
	const user = page.getByTestId('message-user').last();
	await expect(user).toContainText('<b>bold</b>');
	await expect(
		page.locator('[data-testid=transcript] img, [data-testid=transcript] b')
	).toHaveCount(0);
	await expect(page).toHaveTitle('Talkline');
});

test('the transcript gives assistive technology an answer once, whole, when it ends', async ({
	page,
	startServer
}) => {
	// Slow chunks, so that the answer streams long enough to be looked at while it does.
	const server = await startServer({ BRAIN_CHUNK_DELAY_MS: '250' }, 0, true);
	await page.goto(pageUrl(server, uniqueId('e2e-log')));
	await expectState(page, 'open');
	await say(page, 'Tell me about yourself and our connection, in detail please.');
	const log = page.getByRole('log', { name: 'Messages' });
	const answer = page.getByTestId('message-avatar').last();
	await expect(answer).toHaveAttribute('data-status', 'streaming');

	// What a screen reader has of the log (the accessibility tree), sampled while it streams.
	const streaming: string[] = [];
	for (;;) {
		const before = await answer.getAttribute('data-status');
		const tree = await log.ariaSnapshot();
		const after = await answer.getAttribute('data-status');
		if (before === 'streaming' && after === 'streaming') streaming.push(tree);
		if (after !== 'streaming') break;
		await page.waitForTimeout(50);
	}
	await expect(answer).toHaveAttribute('data-status', 'done');
	const text = (await answer.locator('.text').textContent()) ?? '';
	const opening = text.slice(0, 12);
	expect(opening.length).toBe(12);
	expect(streaming.length).toBeGreaterThan(1);
	for (const tree of streaming) expect(tree).not.toContain(opening);
	expect(await log.ariaSnapshot()).toContain(text.slice(0, 40));
});
