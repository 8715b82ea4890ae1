/**
 * Several Talkline instances on one Redis (issue 14), through the real page in Chromium: three
 * production servers (build/server.js) share a real `redis-server` and sit behind the fault
 * proxy's round robin, as behind a load balancer without sticky sessions. The instance holding
 * the page is killed (-9) in the middle of an answer: the page comes back on another instance by
 * itself, the answer is finished or marked interrupted, every message shows once, a reload
 * rebuilds the same transcript, and a second browser with the same client id but no token can
 * neither read the conversation nor replace the owner, on another instance.
 *
 * Needs `npm run build` (Playwright's webServer makes it) and redis-server (apt-get install
 * redis-server): without it the test is skipped with one line saying so, except under CI=true,
 * where it fails.
 */
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy';
import { REDIS_SERVER_BIN, redisAvailable, startRedisServer } from '../../support/redis-server';
import { expect, expectState, test, uniqueId, type TestServer } from './page-support';
import { answers, doneAnswers, say, transcript, users } from './chat-support';

const INSTANCES = 3;
/** Slow enough that the answer is still streaming when its instance is killed. */
const CHUNK_DELAY_MS = '600';
/** How long a dead instance's lease lasts before another instance takes over its work. */
const LEASE_MS = '2000';

const skipWithoutRedis = !redisAvailable() && process.env.CI !== 'true';
if (skipWithoutRedis) {
	console.warn(
		`multi-instance e2e skipped: ${REDIS_SERVER_BIN} not found (install it: apt-get install redis-server)`
	);
}
test.skip(skipWithoutRedis, 'redis-server is not installed (apt-get install redis-server)');

/** Open WebSockets of one instance, as it counts them (/healthz, asked directly). */
async function sockets(server: TestServer): Promise<number> {
	const response = await fetch(`${server.url}/healthz`);
	return ((await response.json()) as { connections: number }).connections;
}

/** The one live instance whose sockets include the page's (it holds exactly `count`). */
async function holder(servers: TestServer[], count = 1): Promise<TestServer> {
	let found: TestServer | undefined;
	await expect
		.poll(
			async () => {
				const live = servers.filter((server) => server.exit === null);
				const counts = await Promise.all(live.map(sockets));
				found = counts.filter((n) => n > 0).length === 1 ? live[counts.indexOf(count)] : undefined;
				return found !== undefined;
			},
			{ message: 'exactly one instance holds the page', timeout: 15_000 }
		)
		.toBe(true);
	return found as TestServer;
}

test('an instance killed mid-answer: the page resumes on another, each message once, and a stranger gets nothing', async ({
	page,
	browser,
	startServer
}) => {
	test.setTimeout(180_000);
	const redis = await startRedisServer();
	let proxy: FaultProxy | undefined;
	try {
		const env = {
			REDIS_URL: redis.url,
			REDIS_LEASE_MS: LEASE_MS,
			BRAIN_CHUNK_DELAY_MS: CHUNK_DELAY_MS,
			// One secret for every instance: a token given by one is checked by the others.
			TALKLINE_SECRET: 'multi-instance-e2e-secret-0123456789abcdef'
		};
		const servers: TestServer[] = [];
		for (let i = 0; i < INSTANCES; i += 1) servers.push(await startServer(env, 0, true));
		proxy = await startFaultProxy({
			targets: servers.map((server) => ({ host: '127.0.0.1', port: server.port }))
		});
		const clientId = uniqueId('e2e-multi');
		const url = proxy.url(`/?clientId=${encodeURIComponent(clientId)}`);

		await page.goto(url);
		await expectState(page, 'open');
		const question = 'Tell me about yourself and our connection, in detail please.';
		await say(page, question);
		await expect(answers(page).first()).toHaveAttribute('data-status', 'streaming', {
			timeout: 30_000
		});
		await expect(answers(page).first()).not.toHaveText('');

		const first = await holder(servers);
		await first.kill();
		// Back by itself: the proxy sends the page's next connection to a live instance.
		await expect(page.getByTestId('connection-badge')).not.toHaveAttribute('data-state', 'open');
		await expectState(page, 'open', 40_000);
		const second = await holder(servers);
		expect(second).not.toBe(first);

		await expect(answers(page).first()).toHaveAttribute('data-status', /^(done|interrupted)$/, {
			timeout: 30_000
		});
		await say(page, 'Are you still there?');
		await expect(answers(page)).toHaveCount(2, { timeout: 30_000 });
		await expect(answers(page).last()).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
		await expect(users(page)).toHaveCount(2);
		await expect(answers(page)).toHaveCount(2);
		await expect(users(page).and(page.locator('[data-status=delivered]'))).toHaveCount(2);
		expect(await users(page).locator('.text').allTextContents()).toEqual([
			question,
			'Are you still there?'
		]);
		const shown = await transcript(page);
		expect(shown.map((entry) => entry.kind)).toEqual(['user', 'avatar', 'user', 'avatar']);
		expect(new Set(shown.map((entry) => entry.id)).size).toBe(shown.length);
		const firstAnswer = await answers(page).first().getAttribute('data-status');

		// A reload (a new connection, through the proxy to whichever instance) rebuilds it, once.
		await page.reload();
		await expectState(page, 'open', 30_000);
		await expect(answers(page)).toHaveCount(2);
		await expect.poll(() => transcript(page)).toEqual(shown);
		await expect(answers(page).first()).toHaveAttribute('data-status', firstAnswer ?? '');
		await expect(answers(page).last()).toHaveAttribute('data-status', 'done');

		// Another browser, same client id, no token, on an instance that does not hold the owner.
		const owner = await holder(servers);
		const elsewhere = servers.find((server) => server.exit === null && server !== owner);
		if (!elsewhere) throw new Error('no second live instance');
		const other = await browser.newContext();
		try {
			const intruder = await other.newPage();
			await intruder.goto(`${elsewhere.url}/?clientId=${encodeURIComponent(clientId)}`);
			await expectState(intruder, 'open', 30_000);
			await expect(intruder.getByTestId('notice')).toContainText('belongs to another browser', {
				timeout: 15_000
			});
			await say(intruder, 'let me in');
			await expect(users(intruder)).toHaveAttribute('data-status', 'pending');
			await expect(intruder.getByTestId('transcript')).not.toContainText(question);
			await expect(answers(intruder)).toHaveCount(0);

			// The owner was not replaced and goes on talking.
			await expectState(page, 'open');
			await say(page, 'still here');
			await expect(doneAnswers(page)).toHaveCount(firstAnswer === 'done' ? 3 : 2, {
				timeout: 30_000
			});
			await expect(answers(page)).toHaveCount(3);
			await expect(intruder.getByTestId('transcript')).not.toContainText('still here');
			await expect(answers(intruder)).toHaveCount(0);
		} finally {
			await other.close();
		}
	} finally {
		await proxy?.close();
		await redis.stop();
	}
});

test('two instances on one Redis, each on its own port: a page on either shows the same conversation', async ({
	page,
	startServer
}) => {
	test.setTimeout(120_000);
	const redis = await startRedisServer();
	try {
		// As the README runs them: two `npm start`s with the same REDIS_URL, nothing else shared.
		const first = await startServer({ REDIS_URL: redis.url }, 0, true);
		const second = await startServer({ REDIS_URL: redis.url }, 0, true);
		const clientId = uniqueId('e2e-ports');
		const onPort = (server: TestServer) =>
			`${server.url}/?clientId=${encodeURIComponent(clientId)}`;

		await page.goto(onPort(first));
		await expectState(page, 'open');
		await say(page, 'hello from the first port');
		await expect(doneAnswers(page)).toHaveCount(1, { timeout: 30_000 });
		const shown = await transcript(page);

		// Another port is another origin (its own localStorage), in the same browser.
		const other = await page.context().newPage();
		await other.goto(onPort(second));
		await expectState(other, 'open');
		await expect(doneAnswers(other)).toHaveCount(1, { timeout: 30_000 });
		expect(await transcript(other)).toEqual(shown);
		await expect(other.getByText(/belongs to another browser/)).toHaveCount(0);
		await say(other, 'and from the second');
		await expect(doneAnswers(other)).toHaveCount(2, { timeout: 30_000 });
		await expect(users(other).and(other.locator('[data-status=delivered]'))).toHaveCount(2);

		// Back on the first port, the conversation has both turns.
		await page.reload();
		await expectState(page, 'open');
		await expect(doneAnswers(page)).toHaveCount(2, { timeout: 30_000 });
		await expect.poll(() => transcript(page)).toEqual(await transcript(other));
	} finally {
		await redis.stop();
	}
});
