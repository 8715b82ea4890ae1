/**
 * A cold start, as on Render's free tier: the host holds new connections for 30-60 s while it
 * wakes the server. The fault proxy holds every new connection for 45 s of the page's (fake)
 * time; the page keeps trying by itself within the connection contract (a connect timeout of
 * 20 s counts as a failed attempt, then the backoff), connects once the server is up, with most
 * of its 10 attempts left, and the badge says all along that the server may be waking up.
 */
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy';
import {
	advance,
	advanceUntil,
	badge,
	badgeStates,
	expect,
	expectState,
	freePort,
	pauseClock,
	recordBadgeStates,
	test,
	uniqueId
} from './page-support';

const COLD_START_MS = 45_000;

let proxy: FaultProxy | undefined;
test.afterEach(async () => {
	await proxy?.close();
	proxy = undefined;
});

test('a server that takes 45 s to accept: the page waits, says why, and connects by itself', async ({
	page,
	startServer
}) => {
	test.setTimeout(180_000);
	const proxyPort = await freePort();
	const server = await startServer({ PUBLIC_WS_URL: `ws://127.0.0.1:${proxyPort}` }, 0, true);
	proxy = await startFaultProxy({
		target: { host: '127.0.0.1', port: server.port },
		port: proxyPort
	});
	proxy.setMode('hold');

	await recordBadgeStates(page);
	await page.clock.install();
	await page.goto(`${server.url}/?clientId=${uniqueId('e2e-cold')}`);
	await expectState(page, 'connecting');
	// From here on only the test moves the page's time: real time on a busy machine must not add
	// to the 45 s.
	await pauseClock(page);
	await expect.poll(() => proxy?.held(), { timeout: 30_000 }).toBe(1);

	// 45 s of the page's time in 500 ms steps, looking at the badge on the way.
	const seen = new Set<string>();
	for (let elapsed = 0; elapsed < COLD_START_MS; elapsed += 500) {
		await advance(page, 500);
		const state = await badge(page).getAttribute('data-state');
		const reason = (await page.getByTestId('connection-reason').allTextContents()).join('');
		if (state === 'backingOff' || (state === 'connecting' && reason)) seen.add(reason);
		expect(state, 'the page never gives up while the server wakes').not.toBe('failed');
	}
	expect([...seen]).toEqual(
		expect.arrayContaining([
			'The server did not answer in time; it may be starting up',
			'Still trying: a server that was asleep can take a minute to wake up'
		])
	);

	proxy.setMode('pass'); // the server is awake: a held handshake goes through, or the next one
	await advanceUntil(page, 'open', 30_000);
	const attempt = Number(await badge(page).getAttribute('data-attempt'));
	expect(attempt, 'attempts used by the cold start').toBeLessThanOrEqual(3);
	const states = await badgeStates(page);
	expect(states.slice(0, 4)).toEqual(['connecting', 'backingOff', 'connecting', 'backingOff']);
	expect(states).not.toContain('failed');
});
