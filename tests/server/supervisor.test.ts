/**
 * The supervisor (scripts/supervise.ts) as production runs it: a real process holding the port,
 * its workers real scripts/serve.ts processes. Each start takes a second or two (tsx).
 * POSIX only: a reload is asked for with SIGHUP, which Windows cannot send to a process.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, OpenClients } from '../support/server-client';
import { startServerProcess, type ServerProcess } from '../../support/server-process';
import { freePort } from '../support/free-port';
import { isRunning } from '../support/process-alive';

const posixSignals = process.platform !== 'win32';
const WAIT_MS = 20_000;

let supervisor: ServerProcess | undefined;
const clients = new OpenClients();

afterEach(async () => {
	await clients.closeAll();
	await supervisor?.kill();
	supervisor = undefined;
});

function start(env: Record<string, string> = {}, port = 0): Promise<ServerProcess> {
	return startServerProcess({ script: 'scripts/supervise.ts', env, port, startTimeoutMs: WAIT_MS });
}

/** The pids of the workers that have said they serve, in order. */
function workerPids(server: ServerProcess): number[] {
	return [...server.output().matchAll(/"event":"server\.ready".*?"pid":(\d+)/g)].map((m) =>
		Number(m[1])
	);
}

/** Opens a TCP connection and closes it: [] when accepted, else the error's code. */
function tcpConnectError(port: number): Promise<string[]> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1', () => {
			socket.destroy();
			resolve([]);
		});
		socket.once('error', (error: NodeJS.ErrnoException) => resolve([error.code ?? 'error']));
	});
}

describe.runIf(posixSignals)('the supervisor', { timeout: 60_000 }, () => {
	it('on SIGHUP starts a new worker, and the old one closes its sockets with 1012 only once the new one listens: no attempt in between is refused', async () => {
		supervisor = await start();
		const server = supervisor;
		const [oldPid] = workerPids(server);
		const before = await clients.connect(server.wsUrl('reloaded'));
		before.resume(0);
		before.send({ type: 'chat', id: 'first', text: 'hello' });
		expect((await before.reply('first')).at(-1)?.type).toBe('reply.end');

		// New TCP connections all through the reload: each must be accepted by some worker.
		let reloading = true;
		const failures: string[] = [];
		const probing = (async () => {
			while (reloading) failures.push(...(await tcpConnectError(server.port)));
		})();
		process.kill(server.pid, 'SIGHUP');
		expect(await before.closed).toEqual({ code: 1012, reason: 'service restart' });
		await expect.poll(() => workerPids(server).length, { timeout: WAIT_MS }).toBe(2);
		await expect.poll(() => isRunning(oldPid as number), { timeout: WAIT_MS }).toBe(false);
		reloading = false;
		await probing;
		expect(failures).toEqual([]);

		const newPid = workerPids(server)[1];
		expect(newPid).not.toBe(oldPid);
		expect(isRunning(newPid as number)).toBe(true);
		// The same store: the conversation goes on.
		const after = await clients.connect(server.wsUrl('reloaded'));
		after.resume(0, before.credentials);
		expect((await after.reply('first')).at(-1)?.type).toBe('reply.end');
	});

	it('lets a reply in flight end as the old worker stops it, not as a crash left it: the new worker recovers the store only after the old one has exited', async () => {
		supervisor = await start({ BRAIN_CHUNK_DELAY_MS: '300' });
		const server = supervisor;
		const before = await clients.connect(server.wsUrl('mid-reply'));
		before.resume(0);
		before.send({ type: 'chat', id: 'long', text: 'what can you do?' });
		await before.next('reply.delta');
		process.kill(server.pid, 'SIGHUP');
		expect((await before.closed).code).toBe(1012);
		await expect.poll(() => workerPids(server).length, { timeout: WAIT_MS }).toBe(2);

		const after = await clients.connect(server.wsUrl('mid-reply'));
		after.resume(0, before.credentials);
		const reply = await after.reply('long');
		expect(reply.at(-1)?.type).toBe('reply.interrupted');
		expect(reply.filter((m) => m.type === 'reply.interrupted')).toHaveLength(1);
		// Recovering at start would have closed the old worker's live reply as a crash's.
		expect(server.output()).not.toMatch(/"event":"reply\.recovered"/);
	});

	it('recovers the store in the new worker once it is alone, when the old one died during the reload with a reply open', async () => {
		// A fixed port: with PORT=0, a worker that listens only after every other died gets a new one.
		supervisor = await start({ BRAIN_CHUNK_DELAY_MS: '300' }, await freePort());
		const server = supervisor;
		const [oldPid] = workerPids(server);
		const before = await clients.connect(server.wsUrl('died-mid-reload'));
		before.resume(0);
		before.send({ type: 'chat', id: 'cut', text: 'what can you do?' });
		await before.next('reply.delta');
		process.kill(server.pid, 'SIGHUP');
		// The old worker dies before the new one listens: its reply stays open in the store.
		process.kill(oldPid as number, 'SIGKILL');
		expect((await before.closed).code).toBe(1006);
		await expect.poll(() => workerPids(server).length, { timeout: WAIT_MS }).toBe(2);

		await expect
			.poll(() => server.output(), { timeout: WAIT_MS })
			.toMatch(/"event":"reply\.recovered"/);
		const after = await clients.connect(server.wsUrl('died-mid-reload'));
		after.resume(0, before.credentials);
		const reply = await after.reply('cut');
		expect(reply.at(-1)?.type).toBe('reply.interrupted');
	});

	it('hands the clients over at HANDOVER_CLOSE_RATE, and a chat sent to the old worker meanwhile is stored and answered by the new one', async () => {
		supervisor = await start({ HANDOVER_CLOSE_RATE: '1', BRAIN_CHUNK_DELAY_MS: '200' });
		const server = supervisor;
		const first = await clients.connect(server.wsUrl('handed-over-1'));
		const second = await clients.connect(server.wsUrl('handed-over-2'));
		for (const client of [first, second]) client.resume(0);
		process.kill(server.pid, 'SIGHUP');
		expect(await first.closed).toEqual({ code: 1012, reason: 'service restart' });
		// One socket a second: the second is still open, and the old worker still takes chats.
		expect(second.ws.readyState).toBe(second.ws.OPEN);
		second.send({ type: 'chat', id: 'meanwhile', text: 'what can you do?' });
		await second.next('ack');
		expect((await second.closed).code).toBe(1012);
		expect(second.received.some((m) => m.type === 'reply.start')).toBe(false);

		const again = await clients.connect(server.wsUrl('handed-over-2'));
		again.resume(0, second.credentials);
		const reply = await again.reply('meanwhile');
		expect(reply.filter((m) => m.type === 'reply.start')).toHaveLength(1);
		expect(reply.at(-1)?.type).toBe('reply.end');
	});

	it('on SIGTERM closes every socket with 1012 and exits 0 with its worker', async () => {
		supervisor = await start();
		const [workerPid] = workerPids(supervisor);
		const client = await clients.connect(supervisor.wsUrl('stopped'));
		expect(await supervisor.stop('SIGTERM')).toEqual({ code: 0, signal: null });
		expect(await client.closed).toEqual({ code: 1012, reason: 'service restart' });
		expect(isRunning(workerPid as number)).toBe(false);
	});

	it('replaces a worker that dies on its own', async () => {
		supervisor = await start();
		const server = supervisor;
		const [crashed] = workerPids(server);
		const client = await clients.connect(server.wsUrl('crash'));
		process.kill(crashed as number, 'SIGKILL');
		expect((await client.closed).code).toBe(1006);
		await expect.poll(() => workerPids(server).length, { timeout: WAIT_MS }).toBe(2);
		const again = await connectClient(server.wsUrl('crash'));
		clients.keep(again);
		expect(again.received[0]).toMatchObject({ type: 'connected', clientId: 'crash' });
	});

	it('takes its worker with it when it is killed', async () => {
		supervisor = await start();
		const [workerPid] = workerPids(supervisor);
		const client = await clients.connect(supervisor.wsUrl('orphan'));
		await supervisor.kill();
		expect((await client.closed).code).toBe(1006);
		await expect.poll(() => isRunning(workerPid as number), { timeout: WAIT_MS }).toBe(false);
	});
});
