import { expect, test } from '@playwright/test';
import { resolveConfig } from '../../machines/config';
import { eventRows, expectOnlyActive, startTestServer, type TestServer } from './inspector-support';

const config = resolveConfig(undefined);
const START = new Date('2026-01-05T10:00:00Z').getTime();

const ROOT = 'connection';
const SESSION = 'connection.session';
const LIVE = 'connection.session.live';

let server: TestServer;
test.beforeEach(async () => {
	server = await startTestServer();
});
test.afterEach(async () => {
	await server.close();
});

/** The edges the panel marks as the transition just taken. */
async function lastEdges(page: import('@playwright/test').Page) {
	return page
		.locator('[data-testid=statechart-edge][data-last=true]')
		.evaluateAll((edges) =>
			edges.map((e) => `${e.getAttribute('data-source')} -> ${e.getAttribute('data-targets')}`)
		);
}

test('the panel follows the connection through open, stale, backingOff and failed, saying why', async ({
	page
}) => {
	const closes: number[] = [];
	await page.clock.install({ time: START });
	await page.goto(`/dev/inspector?ws=${encodeURIComponent(server.url('e2e-inspector'))}`);
	await expect(page.getByTestId('statechart-view')).toHaveAttribute('data-ready', 'true');
	// From here on, time moves only when the test says so.
	await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1_000);
	await expectOnlyActive(page, 'connection.idle', [ROOT]);

	// open: the user connects, the server accepts and greets.
	await page.locator('[data-testid=inspector-send][data-event=CONNECT]').click();
	await expectOnlyActive(page, `${LIVE}.open`, [ROOT, SESSION, LIVE]);
	await expect(page.locator('[data-field=clientId]')).toHaveText('e2e-inspector');
	// The greeting that confirmed the id is the last transition taken: any server message is handled
	// once, at `live`, and lands in `open`.
	expect(await lastEdges(page)).toEqual([`${LIVE} -> ${LIVE}.open`]);
	expect((await eventRows(page)).slice(0, 2)).toEqual([
		expect.objectContaining({
			from: 'connecting',
			to: 'open',
			event: 'socket.open',
			kind: 'socket'
		}),
		expect.objectContaining({ from: 'idle', to: 'connecting', event: 'CONNECT', kind: 'user' })
	]);

	// stale: the server says nothing for staleAfter; the client probes with a ping.
	await page.clock.runFor(config.staleAfter);
	await expectOnlyActive(page, `${LIVE}.stale`, [ROOT, SESSION, LIVE]);
	await expect.poll(() => server.received).toContainEqual({ type: 'ping' });
	expect(await lastEdges(page)).toEqual([`${LIVE}.open -> ${LIVE}.stale`]);
	expect((await eventRows(page))[0]).toMatchObject({
		from: 'open',
		to: 'stale',
		kind: 'timeout',
		text: 'after staleAfter'
	});

	// backingOff: silence reaches pingTimeout; the client closes with 4000 and schedules a retry.
	server.onConnection = (socket) => {
		socket.on('close', (code) => closes.push(code));
		socket.close(4403, 'forbidden');
	};
	await page.clock.runFor(config.pingTimeout - config.staleAfter);
	await expectOnlyActive(page, 'connection.backingOff', [ROOT]);
	expect(await lastEdges(page)).toEqual([`${SESSION} -> connection.backingOff`]);
	expect((await eventRows(page))[0]).toMatchObject({
		from: 'stale',
		to: 'backingOff',
		kind: 'close',
		code: '4000',
		text: '4000 keepalive timeout'
	});
	await expect(page.locator('[data-field=lastClose]')).toContainText('4000');
	await expect(page.locator('[data-field=countdown]')).toContainText('next attempt in');
	await expect(page.locator('[data-field=attempt]')).toContainText(
		`0 of ${config.maxReconnectAttempts}`
	);

	// failed: the retry (due within baseReconnectDelay) opens, and the server refuses it for good.
	await page.clock.runFor(config.baseReconnectDelay);
	await expectOnlyActive(page, 'connection.failed', [ROOT]);
	expect(await lastEdges(page)).toEqual([`${SESSION} -> connection.failed`]);
	expect(closes).toEqual([4403]);

	const rows = await eventRows(page);
	expect(rows.map((r) => `${r.from} -> ${r.to} (${r.kind} ${r.text})`)).toEqual([
		'open -> failed (close 4403 forbidden)',
		'connecting -> open (socket socket.open)',
		'backingOff -> connecting (timeout after reconnectDelay)',
		'stale -> backingOff (close 4000 keepalive timeout)',
		'open -> stale (timeout after staleAfter)',
		'connecting -> open (socket socket.open)',
		'idle -> connecting (user user)',
		' -> idle (start actor started)'
	]);
	await expect(page.getByTestId('inspector-state')).toHaveText('failed');
	await expect(page.locator('[data-testid=inspector-send][data-event=CONNECT]')).toBeEnabled();
	await expect(page.locator('[data-testid=inspector-send][data-event=DISCONNECT]')).toBeEnabled();
});

test('the dev route connects to the app server’s own /ws endpoint and shows the confirmed id', async ({
	page
}) => {
	await page.goto('/dev/inspector');
	await page.locator('[data-testid=inspector-send][data-event=CONNECT]').click();
	await expectOnlyActive(page, `${LIVE}.open`, [ROOT, SESSION, LIVE]);
	await expect(page.locator('[data-field=clientId]')).toHaveText('dev-inspector');
	await page.locator('[data-testid=inspector-send][data-event=DISCONNECT]').click();
	await expectOnlyActive(page, 'connection.idle', [ROOT]);
	expect((await eventRows(page))[0]).toMatchObject({ from: 'open', to: 'idle', kind: 'user' });
});
