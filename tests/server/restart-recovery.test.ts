/**
 * What a restart keeps, in process (fast): the server closes as on SIGTERM, and a new server
 * opens the same SQLite file. The real-process and kill -9 cases are in durability.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore, storeFile } from '../../src/lib/server/store/sqlite-store';
import { type TestClient, OpenClients } from '../support/server-client';
import { makeTempDir, removeTempDirs } from '../support/temp-dir';
import { startTestServer, type TestServer } from '../support/test-server';
import { ONE_PIXEL_PNG } from '../support/images';

let server: TestServer | undefined;
const clients = new OpenClients();

afterEach(async () => {
	await clients.closeAll();
	await server?.close();
	server = undefined;
	removeTempDirs();
});

async function restartOn(file: string, brainChunkDelayMs = 1): Promise<TestServer> {
	await server?.close(); // closes the store too
	server = await startTestServer({ brainChunkDelayMs }, { store: new SqliteStore(file) });
	return server;
}

function open(clientId: string): Promise<TestClient> {
	return clients.connect((server as TestServer).wsUrl(clientId));
}

describe('restart recovery (same SQLite file)', () => {
	it('interrupts the reply in progress on shutdown and answers the queued chat after the restart', async () => {
		const file = storeFile(makeTempDir());
		await restartOn(file, 30);
		const before = await open('queued-at-stop');
		before.send({ type: 'resume', lastSeq: 0 });
		before.send({ type: 'chat', id: 'long', text: 'help' });
		before.send({ type: 'chat', id: 'second', text: 'hello' });
		await before.next('reply.delta');
		await restartOn(file);
		const after = await open('queued-at-stop');
		after.resume(0, before.credentials);
		expect((await after.reply('long')).at(-1)?.type).toBe('reply.interrupted');
		expect((await after.reply('second')).at(-1)?.type).toBe('reply.end');
		const starts = after.received.flatMap((m) => (m.type === 'reply.start' ? [m.inReplyTo] : []));
		expect(starts).toEqual(['long', 'second']);
	});

	it('keeps the latest camera still across a restart for the next question about it', async () => {
		const file = storeFile(makeTempDir());
		await restartOn(file);
		const before = await open('camera');
		before.send({
			type: 'frame',
			id: 'f',
			mime: 'image/png',
			width: 1,
			height: 1,
			data: ONE_PIXEL_PNG
		});
		await before.next('ack');
		await restartOn(file);
		const after = await open('camera');
		after.resume(0, before.credentials);
		after.send({ type: 'chat', id: 'q', text: 'What do you see?' });
		expect((await after.reply('q')).at(-1)).toMatchObject({
			type: 'reply.end',
			text: expect.stringMatching(/^I see a 1 by 1 picture/)
		});
	});
});
