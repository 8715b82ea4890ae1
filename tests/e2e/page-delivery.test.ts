/**
 * No message lost, through the real page, a real server process (SQLite store in a temp folder)
 * and Chromium: messages typed while the server is down, a lost `ack` that makes the page send
 * the same message again, a server killed (-9) in the middle of an answer, and reloads.
 */
import type { Page } from '@playwright/test';
import { expect, expectConfirmed, expectState, freePort, pageUrl, test } from './page-support';
import { answers, doneAnswers, say, transcript, users } from './chat-support';

/** For every answer, the id of the user message before it: one per user message, none twice. */
async function answeredIds(page: Page): Promise<string[]> {
	let lastUser = '';
	return (await transcript(page)).flatMap(({ kind, id }) => {
		if (kind === 'user') lastUser = id;
		return kind === 'avatar' ? [lastUser] : [];
	});
}

test('20 messages typed while the server is down are each answered exactly once after it starts', async ({
	page,
	startServer
}) => {
	test.setTimeout(120_000);
	const server = await startServer({ BRAIN_CHUNK_DELAY_MS: '2' });
	await page.goto(pageUrl(server, 'e2e-twenty'));
	await expectState(page, 'open');
	await expectConfirmed(page, 'e2e-twenty');
	await server.kill();
	await expect(page.getByTestId('connection-badge')).not.toHaveAttribute('data-state', 'open');

	for (let n = 1; n <= 20; n++) await say(page, `message number ${n}`);
	await expect(users(page)).toHaveCount(20);
	for (const status of await users(page).evaluateAll((els) => els.map((e) => e.dataset.status))) {
		expect(status).toBe('pending');
	}

	await server.restart();
	await expectState(page, 'open', 40_000);
	await expect(answers(page)).toHaveCount(20, { timeout: 60_000 });
	await expect(doneAnswers(page)).toHaveCount(20, { timeout: 60_000 });
	await expect(users(page).and(page.locator('[data-status=delivered]'))).toHaveCount(20);
	const texts = await users(page).locator('.text').allTextContents();
	expect(texts).toEqual(Array.from({ length: 20 }, (_, i) => `message number ${i + 1}`));
	const answered = await answeredIds(page);
	expect(new Set(answered).size).toBe(20);

	// A reload rebuilds the same conversation from the server's log, once.
	await page.reload();
	await expectState(page, 'open');
	await expect(answers(page)).toHaveCount(20);
	expect(await users(page).locator('.text').allTextContents()).toEqual(texts);
});

test('a lost ack makes the page send the message again with the same id; it is answered once', async ({
	page,
	startServer
}) => {
	const server = await startServer();
	const chats: string[] = [];
	let dropAcks = true;
	await page.routeWebSocket(/\/ws\//, (ws) => {
		const upstream = ws.connectToServer();
		ws.onMessage((message) => {
			const parsed = JSON.parse(String(message)) as { type: string; id?: string };
			if (parsed.type === 'chat') chats.push(parsed.id ?? '');
			upstream.send(message);
		});
		upstream.onMessage((message) => {
			const parsed = JSON.parse(String(message)) as { type: string };
			if (dropAcks && parsed.type === 'ack') {
				// The server has stored the message; the page never hears so. Drop the link.
				dropAcks = false;
				void ws.close({ code: 1011, reason: 'lost ack' });
				return;
			}
			ws.send(message);
		});
	});
	await page.goto(pageUrl(server, 'e2e-lost-ack'));
	await expectState(page, 'open');
	await say(page, 'Hello, are you there?');

	await expect(answers(page)).toHaveCount(1, { timeout: 20_000 });
	await expect(answers(page).first()).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
	expect(chats.length).toBe(2);
	expect(chats[0]).toBe(chats[1]);
	await expect(users(page)).toHaveCount(1);
	await expect(users(page).first()).toHaveAttribute('data-status', 'delivered');
	// Nothing more arrives later.
	await page.waitForTimeout(1_000);
	await expect(answers(page)).toHaveCount(1);
});

test('a server killed in the middle of an answer: after the restart the page shows it once, finished or marked interrupted', async ({
	page,
	startServer
}) => {
	const server = await startServer({ BRAIN_CHUNK_DELAY_MS: '300' });
	await page.goto(pageUrl(server, 'e2e-kill-mid-answer'));
	await expectState(page, 'open');
	await say(page, 'Tell me about yourself and our connection, in detail please.');
	await expect(answers(page).first()).toHaveAttribute('data-status', 'streaming');
	await expect(answers(page).first()).not.toHaveText('');

	await server.kill();
	await server.restart();
	await expectState(page, 'open', 40_000);
	await expect(answers(page).first()).toHaveAttribute('data-status', /^(done|interrupted)$/, {
		timeout: 20_000
	});
	await expect(answers(page)).toHaveCount(1);
	await expect(users(page)).toHaveCount(1);

	await page.reload();
	await expectState(page, 'open');
	await expect(answers(page)).toHaveCount(1);
	await expect(answers(page).first()).toHaveAttribute('data-status', /^(done|interrupted)$/);
});

test('a reload while the socket server is down loses nothing', async ({ page, startServer }) => {
	// A split deployment: the page from one server, the socket from another, so the page can be
	// reloaded while the socket's server is down.
	const socketPort = await freePort();
	const app = await startServer({ PUBLIC_WS_URL: `ws://127.0.0.1:${socketPort}` });
	const server = await startServer({ ALLOWED_ORIGINS: app.url }, socketPort);
	await page.goto(pageUrl(app, 'e2e-reload-down'));
	await expectState(page, 'open');
	await expectConfirmed(page, 'e2e-reload-down');
	await server.kill();
	await say(page, 'Are you still there?');
	await expect(users(page).first()).toHaveAttribute('data-status', 'pending');

	await page.reload();
	await expect(users(page)).toHaveCount(1);
	await expect(users(page).first()).toHaveAttribute('data-status', 'pending');
	await server.restart();
	await expectState(page, 'open', 40_000);
	await expect(answers(page).first()).toHaveAttribute('data-status', 'done', {
		timeout: 20_000
	});
	await expect(users(page)).toHaveCount(1);
	await expect(users(page).first()).toHaveAttribute('data-status', 'delivered');
});
