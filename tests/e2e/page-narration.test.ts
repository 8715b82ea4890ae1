/**
 * The console tells the connection's steps (issue 15), with `?debug`: read through a server
 * restart, the lines come in the order the seed's working system printed them. Without `?debug`
 * (and outside `npm run dev`) the page says nothing of them.
 */
import type { Page } from '@playwright/test';
import { expect, expectState, pageUrl, test, uniqueId } from './page-support';

/** The narration lines the page has written so far (`talkline …` at info level). */
function recordNarration(page: Page): string[] {
	const lines: string[] = [];
	page.on('console', (message) => {
		const text = message.text();
		if (message.type() === 'info' && text.startsWith('talkline ')) lines.push(text.slice(9));
	});
	return lines;
}

/** Fails unless each pattern matches a line after the one the previous pattern matched. */
function expectInOrder(lines: string[], patterns: RegExp[]): void {
	let at = 0;
	for (const pattern of patterns) {
		const found = lines.findIndex((line, index) => index >= at && pattern.test(line));
		expect(found, `${pattern} after line ${at} of:\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
		at = found + 1;
	}
}

test('with ?debug the console tells each step of the connection through a server restart', async ({
	page,
	startServer
}) => {
	const server = await startServer({ PING_INTERVAL_MS: '500' }, 0, true);
	const clientId = uniqueId('e2e-debug');
	const lines = recordNarration(page);
	await page.goto(`${pageUrl(server, clientId)}&debug`);
	await expectState(page, 'open');
	await expect.poll(() => lines.some((line) => line === 'Received keepalive ping')).toBe(true);
	// The page may be back before restart() returns (it waits for the new server's health check).
	await server.restart();
	await expect
		.poll(() => lines.filter((line) => line.startsWith('Server confirmed')).length)
		.toBe(2);

	const socket = server.wsUrl(clientId).replace(/[.?]/g, '\\$&');
	expectInOrder(lines, [
		/^This tab now holds the connection$/,
		new RegExp(`^Connecting to WebSocket: ${socket}$`),
		/^WebSocket connected successfully$/,
		new RegExp(`^Server confirmed connection\\. Client ID: ${clientId}$`),
		/^Received keepalive ping$/,
		/^Connection closed \(1012 [^)]*\): reconnecting in \d+\.\d s, attempt 1 of 10$/,
		new RegExp(`^Connecting to WebSocket: ${socket} \\(attempt 1 of 10\\)$`),
		/^WebSocket connected successfully$/,
		new RegExp(`^Server confirmed connection\\. Client ID: ${clientId}$`)
	]);
});

test('without ?debug the console stays quiet', async ({ page, startServer }) => {
	const server = await startServer({ PING_INTERVAL_MS: '500' }, 0, true);
	const lines = recordNarration(page);
	await page.goto(pageUrl(server, uniqueId('e2e-quiet')));
	await expectState(page, 'open');
	// Pings arrive every half second: a second of them would have been told.
	await page.waitForTimeout(1_500);
	expect(lines).toEqual([]);
});
