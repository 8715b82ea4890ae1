/**
 * `GET /metrics` after real traffic: a chat answered, a refused Origin, an invalid client id, a
 * bad message, a socket closed; each shows up under its name in the Prometheus text. The counters
 * are per process, so each test compares before and after.
 */
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, TestClient } from '../support/server-client';
import { startTestServer, type TestServer } from '../support/test-server';

/** The value of one sample (`name{labels}`) in the exposition text; 0 when absent. */
function sample(text: string, series: string): number {
	const line = text.split('\n').find((row) => row.startsWith(`${series} `));
	return line ? Number(line.slice(series.length + 1)) : 0;
}

async function scrape(server: TestServer, token?: string): Promise<string> {
	const response = await fetch(`${server.url}/metrics`, {
		headers: token ? { authorization: `Bearer ${token}` } : {}
	});
	expect(response.status).toBe(200);
	expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
	return response.text();
}

/** Resolves with the HTTP status a refused handshake got. */
function refusedStatus(url: string, origin: string): Promise<number> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, { origin });
		ws.on('error', () => {});
		ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
		ws.once('open', () => reject(new Error('the handshake was accepted')));
	});
}

describe('GET /metrics', () => {
	let server: TestServer | undefined;
	afterEach(async () => {
		await server?.close();
		server = undefined;
	});

	it('counts connections, messages, refusals, replies and store commits after a chat', async () => {
		server = await startTestServer();
		const before = await scrape(server);

		const client = await connectClient(server.wsUrl('metrics-chat'));
		client.send({ type: 'resume', lastSeq: 0 });
		client.send({ type: 'chat', id: 'm1', text: 'hello' });
		await client.reply('m1');
		client.ws.send('not json');
		await client.next('error');
		expect(await refusedStatus(server.wsUrl('metrics-origin'), 'https://evil.example')).toBe(403);
		const invalid = new TestClient(server.wsUrl('bad id!'));
		expect((await invalid.closed).code).toBe(4400);
		const during = await scrape(server);
		await client.close();
		await expect
			.poll(async () => sample(await scrape(server as TestServer), 'talkline_connections_open'))
			.toBe(sample(before, 'talkline_connections_open'));
		const after = await scrape(server);

		const grew = (series: string, text = after) => sample(text, series) - sample(before, series);
		expect(grew('talkline_connections_open', during)).toBe(1);
		expect(grew('talkline_connections_opened_total')).toBe(2);
		expect(grew('talkline_connections_closed_total{code="1000"}')).toBe(1);
		expect(grew('talkline_connections_closed_total{code="4400"}')).toBe(1);
		expect(grew('talkline_messages_received_total{type="chat"}')).toBe(1);
		expect(grew('talkline_messages_received_total{type="resume"}')).toBe(1);
		expect(grew('talkline_messages_sent_total{type="connected"}')).toBe(1);
		expect(grew('talkline_messages_sent_total{type="ack"}')).toBe(1);
		expect(grew('talkline_messages_sent_total{type="reply.delta"}')).toBeGreaterThan(0);
		expect(grew('talkline_refusals_total{reason="origin"}')).toBe(1);
		expect(grew('talkline_refusals_total{reason="bad_message"}')).toBe(1);
		expect(grew('talkline_refusals_total{reason="client_id"}')).toBe(1);
		expect(grew('talkline_replies_total{outcome="started"}')).toBe(1);
		expect(grew('talkline_replies_total{outcome="finished"}')).toBe(1);
		expect(grew('talkline_reply_first_piece_seconds_count')).toBe(1);
		expect(grew('talkline_store_commit_seconds_count{op="accept"}')).toBe(1);
		expect(grew('talkline_store_commit_seconds_count{op="append"}')).toBeGreaterThan(2);
		expect(after).toMatch(/^talkline_backpressure_closes_total \d+$/m);
		expect(after).toMatch(/^process_cpu_seconds_total /m);
		expect(after).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
	});

	it('counts an interrupted reply', async () => {
		server = await startTestServer({ brainChunkDelayMs: 200 });
		const before = await scrape(server);
		const client = await connectClient(server.wsUrl('metrics-interrupt'));
		client.send({ type: 'resume', lastSeq: 0 });
		client.send({ type: 'chat', id: 'long', text: 'tell me a story' });
		const start = await client.next('reply.start');
		client.send({ type: 'interrupt', replyId: start.replyId });
		await client.next('reply.interrupted');
		const after = await scrape(server);
		const grew = (series: string) => sample(after, series) - sample(before, series);
		expect(grew('talkline_replies_total{outcome="interrupted"}')).toBe(1);
		expect(grew('talkline_messages_received_total{type="interrupt"}')).toBe(1);
		await client.close();
	});

	it('asks for the bearer token when METRICS_TOKEN is set', async () => {
		server = await startTestServer({ metricsToken: 's3cret' });
		expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
		const wrong = await fetch(`${server.url}/metrics`, {
			headers: { authorization: 'Bearer guess' }
		});
		expect(wrong.status).toBe(401);
		expect(await scrape(server, 's3cret')).toMatch(/^talkline_connections_open /m);
	});
});
