/**
 * Owned client ids and epochs through the real page, a real server process and Chromium
 * (protocol.md, "Ownership and epochs"): a server that lost its data, a page of another browser
 * with someone else's `?clientId=`, and a page holding a wrong token.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { badge, expect, expectState, pageUrl, test, uniqueId } from './page-support';
import { answers, doneAnswers, say, users } from './chat-support';

test('after the server lost its data (a new epoch), new replies show', async ({
	page,
	startServer
}) => {
	test.setTimeout(90_000);
	const server = await startServer({ BRAIN_CHUNK_DELAY_MS: '2' });
	await page.goto(pageUrl(server, uniqueId('e2e-epoch')));
	await expectState(page, 'open');
	// Each question after the last answer is done: one sent while an answer streams is a
	// barge-in (protocol.md) and would leave that answer interrupted, not done.
	await say(page, 'Hello there');
	await expect(doneAnswers(page)).toHaveCount(1, { timeout: 30_000 });
	await say(page, 'What can you do?');
	await expect(doneAnswers(page)).toHaveCount(2, { timeout: 30_000 });

	await server.stop();
	for (const file of ['talkline.db', 'talkline.db-wal', 'talkline.db-shm'])
		rmSync(path.join(server.dataDir, file), { force: true });
	await server.restart();
	await expectState(page, 'open', 40_000);

	// The new log numbers from 1 again: seqs the page has seen, in another epoch.
	await say(page, 'Are you still there?');
	await expect(doneAnswers(page)).toHaveCount(3, { timeout: 30_000 });
	await say(page, 'thanks');
	await expect(doneAnswers(page)).toHaveCount(4, { timeout: 30_000 });
	await expect(page.getByTestId('message-user').last()).toHaveAttribute('data-status', 'delivered');
});

test('another browser with the same ?clientId= sees nothing of the conversation and cannot chat', async ({
	page,
	browser,
	startServer
}) => {
	test.setTimeout(90_000);
	const server = await startServer({ BRAIN_CHUNK_DELAY_MS: '2' });
	const url = pageUrl(server, uniqueId('e2e-owned'));
	await page.goto(url);
	await expectState(page, 'open');
	await say(page, 'my secret plans');
	await expect(doneAnswers(page)).toHaveCount(1, { timeout: 30_000 });

	const other = await browser.newContext();
	try {
		const intruder = await other.newPage();
		await intruder.goto(url);
		await expectState(intruder, 'open', 30_000);
		await expect(intruder.getByTestId('notice')).toContainText('belongs to another browser', {
			timeout: 15_000
		});
		await say(intruder, 'let me in');
		await expect(users(intruder)).toHaveAttribute('data-status', 'pending');
		await expect(intruder.getByTestId('transcript')).not.toContainText('my secret plans');
		await expect(answers(intruder)).toHaveCount(0);

		// The owner was not replaced and goes on talking.
		await expectState(page, 'open');
		await say(page, 'still here');
		await expect(doneAnswers(page)).toHaveCount(2, { timeout: 30_000 });
	} finally {
		await other.close();
	}
});

test('a page holding a wrong token fails with 4401 and says the id belongs to another browser', async ({
	page,
	startServer
}) => {
	test.setTimeout(90_000);
	const server = await startServer();
	const clientId = uniqueId('e2e-wrong-token');
	await page.goto(pageUrl(server, clientId));
	await expectState(page, 'open');
	// The token arrives with `connected`, after the socket opened: wait for it, then spoil it.
	const tokenKey = `talkline.token.${clientId}`;
	await expect
		.poll(() => page.evaluate((key) => localStorage.getItem(key), tokenKey), { timeout: 30_000 })
		.toMatch(/^[A-Za-z0-9_-]{43}$/);
	await page.evaluate((key) => localStorage.setItem(key, 'not-the-token'), tokenKey);
	await page.reload();
	await expectState(page, 'failed');
	await expect(badge(page)).toContainText('belongs to another browser');
});

test('a page whose own id was claimed but whose token never arrived takes a new id, keeps its unsent message, and talks', async ({
	page,
	startServer
}) => {
	test.setTimeout(90_000);
	const server = await startServer();
	// The race this stands for: the server stores the claim of a new id, then the connection ends
	// before its `connected` (with the token) reaches the page. Here a connection claims the id
	// and is closed unread.
	const lost = `c-${Date.now().toString(16).padStart(16, '0')}`;
	await claimAndDrop(`${server.url.replace(/^http/, 'ws')}/ws/${lost}`);

	await page.goto(server.url);
	await expectState(page, 'open');
	// The page's own id (no ?clientId=) is the lost one, with a message waiting to go.
	const waiting = randomUUID();
	const outbox = {
		version: 1,
		entries: [
			{
				id: waiting,
				message: { type: 'chat', id: waiting, text: 'did this arrive?' },
				state: 'pending',
				createdAt: Date.now()
			}
		]
	};
	await page.evaluate(
		([id, saved]) => {
			localStorage.setItem('talkline.clientId', id);
			localStorage.setItem(`talkline.outbox.${id}`, saved);
		},
		[lost, JSON.stringify(outbox)] as const
	);
	await page.reload();

	// The page reloads itself once it has replaced the id: read it after that, from what it shows.
	const shownId = () =>
		page
			.getByTestId('client-id')
			.textContent({ timeout: 1_000 })
			.catch(() => null);
	const isNewId = (id: string | null) => id !== lost && /^c-[0-9a-f]{16}$/.test(id ?? '');
	await expect.poll(async () => isNewId(await shownId()), { timeout: 30_000 }).toBe(true);
	const made = await shownId();
	await expectState(page, 'open');
	expect(await page.evaluate(() => localStorage.getItem('talkline.clientId'))).toBe(made);
	await expect(page.getByTestId('transcript')).not.toContainText('belongs to another browser');
	await expect(users(page)).toHaveCount(1);
	await expect(users(page)).toContainText('did this arrive?');
	await expect(users(page)).toHaveAttribute('data-status', 'delivered', { timeout: 30_000 });
	await expect(doneAnswers(page)).toHaveCount(1, { timeout: 30_000 });
});

/** Opens a socket for `clientId`, which claims it, and closes it without reading the token. */
async function claimAndDrop(url: string): Promise<void> {
	const socket = new WebSocket(url);
	socket.on('error', () => {});
	await new Promise<void>((resolve, reject) => {
		socket.once('message', () => resolve());
		socket.once('close', () => reject(new Error('closed before connected')));
	});
	socket.terminate();
}
