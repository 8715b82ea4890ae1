/**
 * The fault proxy over several targets (tests/support/fault-proxy.ts, `targets`): new connections
 * go to the targets in turn, a target that refuses is skipped, and only when all refuse is the
 * client reset. The targets are real TCP servers that greet each connection with their name, so
 * the client sees where it landed.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy';
import { eventually } from '../support/server-client';

interface NamedServer {
	readonly name: string;
	readonly port: number;
	/** Stops listening and drops its connections: a dead instance (connects are refused). */
	kill(): Promise<void>;
}

const servers: NamedServer[] = [];
let proxy: FaultProxy | undefined;
const sockets: net.Socket[] = [];

afterEach(async () => {
	for (const socket of sockets.splice(0)) socket.destroy();
	await proxy?.close();
	await Promise.all(servers.splice(0).map((server) => server.kill()));
});

async function namedServer(name: string): Promise<NamedServer> {
	const open = new Set<net.Socket>();
	const server = net.createServer((socket) => {
		open.add(socket);
		socket.on('close', () => open.delete(socket));
		socket.on('error', () => {});
		socket.write(name);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	let killed: Promise<void> | undefined;
	const named: NamedServer = {
		name,
		port: (server.address() as net.AddressInfo).port,
		kill() {
			killed ??= new Promise<void>((resolve) => {
				server.close(() => resolve());
				for (const socket of open) socket.resetAndDestroy();
			});
			return killed;
		}
	};
	servers.push(named);
	return named;
}

async function proxyOver(targets: NamedServer[]): Promise<FaultProxy> {
	proxy = await startFaultProxy({
		targets: targets.map((server) => ({ host: '127.0.0.1', port: server.port }))
	});
	return proxy;
}

/** Connects through the proxy; resolves with the greeting (the target's name) or the error code. */
function land(via: FaultProxy): Promise<string> {
	return new Promise((resolve) => {
		const socket = net.connect(via.port, via.host);
		sockets.push(socket);
		socket.once('data', (data) => resolve(String(data)));
		socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
	});
}

async function landMany(via: FaultProxy, count: number): Promise<string[]> {
	const names: string[] = [];
	for (let i = 0; i < count; i += 1) names.push(await land(via));
	return names;
}

describe('the fault proxy over several targets', { timeout: 10_000 }, () => {
	it('sends new connections to each target in turn and counts them per target', async () => {
		const via = await proxyOver([
			await namedServer('a'),
			await namedServer('b'),
			await namedServer('c')
		]);
		expect(await landMany(via, 7)).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
		expect([0, 1, 2].map((i) => via.connectionsTo(i))).toEqual([3, 2, 2]);
		expect(via.connections()).toBe(7);
	});

	it('skips a dead target and uses it again once it is back', async () => {
		const [a, b] = [await namedServer('a'), await namedServer('b')];
		const c = await namedServer('c');
		const via = await proxyOver([a, b, c]);
		expect(await landMany(via, 2)).toEqual(['a', 'b']);
		await b.kill();
		await eventually(() => via.connectionsTo(1) === 0, 'the connection to b is gone');
		expect(await landMany(via, 5)).toEqual(['c', 'a', 'c', 'a', 'c']);
		expect(via.connectionsTo(1)).toBe(0);

		// b back on its port: the turn reaches it again.
		const revived = net.createServer((socket) => socket.end('b again'));
		await new Promise<void>((resolve) => revived.listen(b.port, '127.0.0.1', resolve));
		try {
			expect(await landMany(via, 3)).toEqual(['a', 'b again', 'c']);
		} finally {
			await new Promise((resolve) => revived.close(resolve));
		}
	});

	it('resets the client when every target refuses, and carries on when one is back', async () => {
		const [a, b] = [await namedServer('a'), await namedServer('b')];
		const via = await proxyOver([a, b]);
		await Promise.all([a.kill(), b.kill()]);
		expect(await land(via)).toBe('ECONNRESET');
		expect(via.connections()).toBe(0);
		const back = net.createServer((socket) => socket.end('a back'));
		await new Promise<void>((resolve) => back.listen(a.port, '127.0.0.1', resolve));
		try {
			expect(await landMany(via, 2)).toEqual(['a back', 'a back']);
		} finally {
			await new Promise((resolve) => back.close(resolve));
		}
	});

	it('refuses an empty list of targets', async () => {
		await expect(startFaultProxy({ targets: [] })).rejects.toThrow(RangeError);
	});
});
