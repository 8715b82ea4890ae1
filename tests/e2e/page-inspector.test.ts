/**
 * The inspector on the talk page itself. The app server runs with PUBLIC_WS_URL pointing at a
 * steerable `ws` server (a split deployment: page from one server, socket from another), so the
 * test decides when the socket server speaks, falls silent or closes.
 */
import { resolveConfig } from '../../machines/config';
import {
	eventRows,
	expectOnlyActive,
	startTestServer as startSocketServer,
	type TestServer as SocketServer
} from './inspector-support';
import {
	advanceUntil,
	expect,
	pageUrl,
	startTestServer,
	test,
	type TestServer
} from './page-support';

const config = resolveConfig(undefined);
const ROOT = 'connection';
const SESSION = 'connection.session';
const LIVE = 'connection.session.live';

let socketServer: SocketServer;
let app: TestServer;
test.beforeEach(async ({ context }) => {
	await context.route('https://stately.ai/**', (route) => route.abort('internetdisconnected'));
	socketServer = await startSocketServer();
	app = await startTestServer({ PUBLIC_WS_URL: socketServer.url('x').replace(/\/ws\/x$/, '') });
});
test.afterEach(async () => {
	await app.dispose();
	await socketServer.close();
});

test('the page’s inspector highlights each state and lists each transition with its reason', async ({
	page
}) => {
	await page.clock.install();
	await page.goto(pageUrl(app, 'e2e-page-inspector'));
	await expect(page.getByTestId('connection-badge')).toBeVisible();
	await page.keyboard.press('Shift+I'); // loads the panel on first use
	await expect(page.getByTestId('statechart-view')).toHaveAttribute('data-ready', 'true', {
		timeout: 30_000
	});
	await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1_000);

	// open: the page connected on load; the socket server greeted it; the page resumed.
	await expectOnlyActive(page, `${LIVE}.open`, [ROOT, SESSION, LIVE]);
	await expect(page.getByTestId('connection-badge')).toHaveAttribute('data-state', 'open');
	await expect
		.poll(() => socketServer.received)
		.toContainEqual(expect.objectContaining({ type: 'resume', lastSeq: 0 }));
	expect((await eventRows(page)).slice(0, 2)).toEqual([
		expect.objectContaining({ from: 'connecting', to: 'open', kind: 'socket' }),
		expect.objectContaining({ from: 'idle', to: 'connecting', event: 'CONNECT', kind: 'user' })
	]);

	// stale: silence for staleAfter.
	await page.clock.runFor(config.staleAfter);
	await expectOnlyActive(page, `${LIVE}.stale`, [ROOT, SESSION, LIVE]);
	await expect(page.getByTestId('connection-badge')).toHaveAttribute('data-state', 'stale');
	expect((await eventRows(page))[0]).toMatchObject({ from: 'open', to: 'stale', kind: 'timeout' });

	// backingOff: silence reaches pingTimeout; the next connection will be refused for good.
	socketServer.onConnection = (socket) => socket.close(1008, 'policy');
	await advanceUntil(page, 'backingOff', config.pingTimeout, 250);
	await expectOnlyActive(page, 'connection.backingOff', [ROOT]);
	await expect(page.getByTestId('connection-badge')).toHaveAttribute('data-state', 'backingOff');
	expect((await eventRows(page))[0]).toMatchObject({
		from: 'stale',
		to: 'backingOff',
		kind: 'close',
		code: '4000'
	});

	// failed: the reconnect is closed with 1008.
	await advanceUntil(page, 'failed', config.baseReconnectDelay * 2, 250);
	await expectOnlyActive(page, 'connection.failed', [ROOT]);
	await expect(page.getByTestId('connection-badge')).toHaveAttribute('data-state', 'failed');
	expect((await eventRows(page))[0]).toMatchObject({
		from: 'open',
		to: 'failed',
		kind: 'close',
		code: '1008'
	});
});

test('?inspect=ws://… on the page sends the actor’s events and snapshots to an inspector server', async ({
	page
}) => {
	const inspector = await startSocketServer();
	inspector.onConnection = () => {};
	try {
		const query = new URLSearchParams({
			clientId: 'e2e-page-stately',
			inspect: inspector.url('x')
		});
		await page.goto(`${app.url}/?${query}`);
		await expect(page.getByTestId('connection-badge')).toHaveAttribute('data-state', 'open');
		await expect(page.getByTestId('inspector-notice').first()).toHaveAttribute(
			'data-status',
			'open'
		);
		const seen = () => inspector.received as Array<Record<string, unknown>>;
		const isSnapshot = (value: unknown) => (e: Record<string, unknown>) =>
			e.type === '@xstate.snapshot' &&
			JSON.stringify((e.snapshot as { value?: unknown })?.value) === JSON.stringify(value);
		await expect.poll(() => seen().some(isSnapshot({ session: { live: 'open' } }))).toBe(true);
		expect(seen().some((e) => e.type === '@xstate.actor')).toBe(true);
		const events = seen()
			.filter((e) => e.type === '@xstate.event')
			.map((e) => (e.event as { type?: string }).type);
		expect(events).toContain('CONNECT');
		expect(events).toContain('socket.open');
	} finally {
		await inspector.close();
	}
});
