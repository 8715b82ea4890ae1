/**
 * One connection per browser and client id, shared by its tabs (issue 15): three tabs of one
 * browser context on the same page, against a server of their own whose /metrics counts the
 * sockets. The tab holding the Web Lock runs the connection; the others mirror it and send
 * through it; when it closes or crashes, another takes over and nothing is lost or doubled.
 */
import type { BrowserContext, Page } from '@playwright/test';
import {
	expect,
	expectState,
	isBrowserNetworkNoise,
	pageUrl,
	test,
	uniqueId,
	type StartServer,
	type TestServer
} from './page-support';

/** Opens `count` tabs of `url` in `context`, one after the other, failing on any page error. */
async function openTabs(
	context: BrowserContext,
	url: string,
	count: number,
	errors: string[]
): Promise<Page[]> {
	const pages: Page[] = [];
	for (let i = 0; i < count; i++) {
		const page = await context.newPage();
		page.on('console', (message) => {
			if (message.type() === 'error' && !isBrowserNetworkNoise(message.text())) {
				errors.push(`tab ${i + 1}: ${message.text()}`);
			}
		});
		page.on('pageerror', (error) => errors.push(`tab ${i + 1}: uncaught ${error.message}`));
		await page.goto(url);
		pages.push(page);
	}
	return pages;
}

/** One tab of `url` in `context`. */
async function openTab(context: BrowserContext, url: string, errors: string[]): Promise<Page> {
	const [page] = await openTabs(context, url, 1, errors);
	if (!page) throw new Error('no tab opened');
	return page;
}

/** The tab at `index`; fails the test when there is none. */
function tab(pages: Page[], index: number): Page {
	const page = pages.at(index);
	if (!page) throw new Error(`there is no tab ${index}`);
	return page;
}

/** A value from the server's /metrics (a gauge or counter without labels). */
async function metric(server: TestServer, name: string): Promise<number> {
	const text = await (await fetch(`${server.url}/metrics`)).text();
	const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
	if (!match) throw new Error(`${name} is not in /metrics`);
	return Number(match[1]);
}

/** What the server has seen of sockets: open now, opened in all. */
async function sockets(server: TestServer): Promise<{ open: number; opened: number }> {
	return {
		open: await metric(server, 'talkline_connections_open'),
		opened: await metric(server, 'talkline_connections_opened_total')
	};
}

/**
 * Ms from `since` until the server counts one open socket again, the `opened`-th (polled every
 * 20 ms): how long it went without the tabs' connection. A figure, printed, not bounded.
 */
async function msUntilOneSocket(
	server: TestServer,
	opened: number,
	since: number
): Promise<number> {
	await expect
		.poll(() => sockets(server), { intervals: [20], timeout: 30_000 })
		.toEqual({ open: 1, opened });
	return Date.now() - since;
}

const role = (page: Page) => page.getByTestId('connection').getAttribute('data-tab-role');

async function leaderOf(pages: Page[]): Promise<Page> {
	for (const page of pages) if ((await role(page)) === 'leader') return page;
	throw new Error('no tab holds the connection');
}

async function say(page: Page, text: string): Promise<void> {
	await page.getByTestId('chat-input').fill(text);
	await page.getByTestId('send-button').click();
}

/** The message is shown once, answered once (and the answer ended), in every tab. */
async function expectAnsweredOnceIn(pages: Page[], text: string): Promise<void> {
	for (const page of pages) {
		const user = page.getByTestId('message-user').filter({ hasText: text });
		await expect(user).toHaveCount(1, { timeout: 20_000 });
		await expect(user).toHaveAttribute('data-status', 'delivered', { timeout: 20_000 });
		const id = await user.getAttribute('data-id');
		const answers = page.locator(`[data-testid="message-avatar"]`);
		await expect(answers.last()).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
		// Each answer shows once: no reply id twice.
		const replyIds = await answers.evaluateAll((items) =>
			items.map((item) => item.getAttribute('data-reply-id'))
		);
		expect(new Set(replyIds).size, `answers in ${page.url()}`).toBe(replyIds.length);
		const userIds = await page
			.getByTestId('message-user')
			.evaluateAll((items) => items.map((item) => item.getAttribute('data-id')));
		expect(userIds.filter((other) => other === id)).toHaveLength(1);
	}
}

async function threeTabs(
	startServer: StartServer,
	context: BrowserContext,
	errors: string[],
	prefix: string
): Promise<{ server: TestServer; pages: Page[] }> {
	const server = await startServer({}, 0, true);
	const pages = await openTabs(context, pageUrl(server, uniqueId(prefix)), 3, errors);
	for (const page of pages) await expectState(page, 'open');
	return { server, pages };
}

/** Notes in each tab when it came to hold the connection (wall-clock ms), as it happens. */
async function recordLeadership(context: BrowserContext): Promise<void> {
	await context.addInitScript(() => {
		new MutationObserver(() => {
			const role = document
				.querySelector('[data-testid="connection"]')
				?.getAttribute('data-tab-role');
			const w = window as unknown as { __ledAt?: number };
			if (role === 'leader' && w.__ledAt === undefined) w.__ledAt = Date.now();
		}).observe(document, { subtree: true, childList: true, attributes: true });
	});
}

/**
 * Three tabs as threeTabs opens them, noting when each comes to hold the connection (handOver):
 * the tab that holds it now, and the two others.
 */
async function threeTabsToHandOver(
	startServer: StartServer,
	context: BrowserContext,
	errors: string[],
	prefix: string
): Promise<{ server: TestServer; pages: Page[]; leader: Page; rest: Page[] }> {
	await recordLeadership(context);
	const { server, pages } = await threeTabs(startServer, context, errors, prefix);
	const leader = await leaderOf(pages);
	return { server, pages, leader, rest: pages.filter((page) => page !== leader) };
}

/**
 * The tab of `pages` that takes the connection over, and how long after `since` (wall-clock ms,
 * as the page noted it) it did; it then shows the connection open.
 */
async function handOver(pages: Page[], since: number): Promise<{ leader: Page; ms: number }> {
	const leader = await Promise.any(
		pages.map(async (page) => {
			await expect(page.getByTestId('connection')).toHaveAttribute('data-tab-role', 'leader', {
				timeout: 10_000
			});
			return page;
		})
	);
	const ledAt = await leader.evaluate(() => (window as unknown as { __ledAt: number }).__ledAt);
	await expectState(leader, 'open');
	return { leader, ms: ledAt - since };
}

test('three tabs share one socket; a chat from the third is answered once in all three', async ({
	startServer,
	context
}) => {
	const errors: string[] = [];
	const { server, pages } = await threeTabs(startServer, context, errors, 'e2e-tabs');
	expect(await sockets(server)).toEqual({ open: 1, opened: 1 });
	expect((await Promise.all(pages.map(role))).sort()).toEqual(['follower', 'follower', 'leader']);

	await say(tab(pages, 2), 'Hello from the third tab');
	await expectAnsweredOnceIn(pages, 'Hello from the third tab');
	// Every tab shows the real connection: the leader's client id, confirmed.
	for (const page of pages) await expect(page.getByTestId('client-id')).toBeVisible();
	expect(await sockets(server)).toEqual({ open: 1, opened: 1 });
	expect(errors).toEqual([]);
});

test('closing the leader tab hands the connection over at once; a message typed then is kept', async ({
	startServer,
	context
}) => {
	const errors: string[] = [];
	const { server, pages, leader, rest } = await threeTabsToHandOver(
		startServer,
		context,
		errors,
		'e2e-tabs-close'
	);
	await say(tab(pages, 2), 'Before the hand-over');
	await expectAnsweredOnceIn(pages, 'Before the hand-over');

	const writer = tab(rest, -1);
	// Typed in a follower in the moment the leader goes away.
	await writer.getByTestId('chat-input').fill('Typed as the leader left');
	const sent = writer.getByTestId('send-button').click();
	const closedAt = Date.now();
	await Promise.all([leader.close(), sent]);
	const [{ ms }, reconnectedMs] = await Promise.all([
		handOver(rest, closedAt),
		msUntilOneSocket(server, 2, closedAt)
	]);
	console.log(
		`hand-over after closing the leader tab: ${ms} ms; the server had one socket again after ${reconnectedMs} ms`
	);
	expect(ms).toBeLessThan(1_000);

	await expectAnsweredOnceIn(rest, 'Typed as the leader left');
	await expectAnsweredOnceIn(rest, 'Before the hand-over');
	await expect.poll(() => sockets(server)).toEqual({ open: 1, opened: 2 });
	expect(errors).toEqual([]);
});

test('a crashed leader tab (no unload at all) is replaced too', async ({
	startServer,
	context
}) => {
	const errors: string[] = [];
	const { server, leader, rest } = await threeTabsToHandOver(
		startServer,
		context,
		errors,
		'e2e-tabs-crash'
	);
	const cdp = await context.newCDPSession(leader);
	const crashedAt = Date.now();
	// The renderer dies at once: no pagehide, no unload, no close frame from the page.
	void cdp.send('Page.crash').catch(() => {});
	const [{ leader: next, ms }, reconnectedMs] = await Promise.all([
		handOver(rest, crashedAt),
		msUntilOneSocket(server, 2, crashedAt)
	]);
	// Figures, not bounds: how soon the browser notices a dead renderer depends on its load.
	console.log(
		`hand-over after the leader tab crashed: ${ms} ms; the server had one socket again after ${reconnectedMs} ms`
	);

	await say(
		tab(
			rest.filter((page) => page !== next),
			0
		),
		'After the crash'
	);
	await expectAnsweredOnceIn(rest, 'After the crash');
	await expect.poll(() => sockets(server), { timeout: 30_000 }).toEqual({ open: 1, opened: 2 });
	expect(errors).toEqual([]);
});

/** What a browser may lack, and how a test takes it away before the page runs. */
const MISSING = {
	'Web Locks': () => {
		Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined });
	},
	BroadcastChannel: () => {
		Reflect.deleteProperty(globalThis, 'BroadcastChannel');
	}
};

for (const [missing, takeAway] of Object.entries(MISSING)) {
	test(`without ${missing} each tab keeps a socket of its own, as before`, async ({
		startServer,
		context
	}) => {
		await context.addInitScript(takeAway);
		const errors: string[] = [];
		const server = await startServer({}, 0, true);
		const url = pageUrl(server, uniqueId('e2e-tabs-alone'));
		const first = await openTab(context, url, errors);
		await expectState(first, 'open');
		await expect(first.getByTestId('connection')).toHaveAttribute('data-tab-role', 'leader');
		await say(first, 'Alone in the first tab');
		await expectAnsweredOnceIn([first], 'Alone in the first tab');

		const second = await openTab(context, url, errors);
		await expectState(second, 'open');
		await expect(second.getByTestId('connection')).toHaveAttribute('data-tab-role', 'leader');
		// Its own socket: the server replaced the first tab's, as it did before tabs shared one.
		await expectState(first, 'idle');
		await expect(first.getByTestId('connection-reason')).toContainText('replaced (1000)');
		expect(await sockets(server)).toEqual({ open: 1, opened: 2 });
		await say(second, 'Alone in the second tab');
		await expectAnsweredOnceIn([second], 'Alone in the second tab');
		expect(errors).toEqual([]);
	});
}

test('tabs with different client ids keep independent connections', async ({
	startServer,
	context
}) => {
	const errors: string[] = [];
	const server = await startServer({}, 0, true);
	const a = await openTab(context, pageUrl(server, uniqueId('e2e-tabs-a')), errors);
	const b = await openTab(context, pageUrl(server, uniqueId('e2e-tabs-b')), errors);
	for (const page of [a, b]) {
		await expectState(page, 'open');
		await expect(page.getByTestId('connection')).toHaveAttribute('data-tab-role', 'leader');
	}
	expect(await sockets(server)).toEqual({ open: 2, opened: 2 });
	expect(errors).toEqual([]);
});

test('the mute choice is kept and shared by the tabs', async ({ startServer, context }) => {
	const errors: string[] = [];
	const server = await startServer({}, 0, true);
	const url = pageUrl(server, uniqueId('e2e-tabs-mute'));
	const pages = await openTabs(context, url, 2, errors);
	for (const page of pages) await expectState(page, 'open');
	const sound = (page: Page) => page.getByTestId('mute-button');
	for (const page of pages) await expect(sound(page)).toHaveAttribute('aria-pressed', 'true');

	await sound(tab(pages, 0)).click();
	for (const page of pages) await expect(sound(page)).toHaveAttribute('aria-pressed', 'false');
	await tab(pages, 1).reload();
	await expectState(tab(pages, 1), 'open');
	await expect(sound(tab(pages, 1))).toHaveAttribute('aria-pressed', 'false');

	await sound(tab(pages, 1)).click();
	for (const page of pages) await expect(sound(page)).toHaveAttribute('aria-pressed', 'true');
	expect(errors).toEqual([]);
});
