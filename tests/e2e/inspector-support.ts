/**
 * Shared by the inspector's browser tests: the machine the dev route at /dev/inspector runs (so
 * expectations are computed from the same definition the page draws), a real WebSocket server on
 * loopback that the tests steer (greet, stay silent, close with a code), and panel queries.
 */
import { expect, type Page } from '@playwright/test';
import { WebSocketServer, type WebSocket } from 'ws';

export { connectionMachine as inspectedMachine } from '../../machines/connection';

export interface TestServer {
	/** `ws://127.0.0.1:<port>/ws/<clientId>` */
	url(clientId: string): string;
	/** Every JSON message received from clients, in order. */
	received: Array<{ type?: string; [key: string]: unknown }>;
	/** What the server does with each new connection (default: greet with `connected`). */
	onConnection: (socket: WebSocket, clientId: string) => void;
	close(): Promise<void>;
}

/** Starts a real `ws` server on an ephemeral loopback port. */
export async function startTestServer(): Promise<TestServer> {
	const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
	await new Promise((resolve) => wss.once('listening', resolve));
	const { port } = wss.address() as { port: number };
	const server: TestServer = {
		url: (clientId) => `ws://127.0.0.1:${port}/ws/${clientId}`,
		received: [],
		onConnection: greet,
		close: () =>
			new Promise((resolve) => {
				wss.clients.forEach((client) => client.terminate());
				wss.close(() => resolve());
			})
	};
	wss.on('connection', (socket, request) => {
		const clientId = decodeURIComponent((request.url ?? '').split('/').pop() ?? '');
		socket.on('message', (data) => server.received.push(JSON.parse(String(data))));
		server.onConnection(socket, clientId);
	});
	return server;
}

/** The server's first message on every connection (protocol.md). */
export function greet(socket: WebSocket, clientId: string): void {
	socket.send(
		JSON.stringify({
			type: 'connected',
			clientId,
			sessionId: `s-${clientId}`,
			serverTime: Date.now(),
			pingIntervalMs: 10_000,
			epoch: 'e2e-epoch',
			token: `token-${clientId}`
		})
	);
}

/** The ids of the active leaf states and of the active compound states drawn in the panel. */
export async function activeStates(page: Page): Promise<{ leaves: string[]; parents: string[] }> {
	return page.getByTestId('statechart-view').evaluate((view) => {
		const ids = (selector: string) =>
			[...view.querySelectorAll(selector)].map((n) => n.getAttribute('data-state-id') ?? '');
		return {
			leaves: ids('[data-testid=statechart-node][data-active=true]:not([data-type=compound])'),
			parents: ids('[data-testid=statechart-node][data-active=true][data-type=compound]')
		};
	});
}

/** Waits until the panel shows `leafId` as the one active leaf, with exactly its ancestors active. */
export async function expectOnlyActive(page: Page, leafId: string, ancestorIds: string[]) {
	await expect.poll(() => activeStates(page)).toEqual({ leaves: [leafId], parents: ancestorIds });
}

/** The event rows of the panel, newest first, as plain values. */
export async function eventRows(page: Page) {
	return page.getByTestId('event-row').evaluateAll((rows) =>
		rows.map((row) => ({
			event: row.getAttribute('data-event'),
			from: row.getAttribute('data-from'),
			to: row.getAttribute('data-to'),
			kind: row.getAttribute('data-reason-kind'),
			code: row.getAttribute('data-code'),
			text: row.querySelector('td:last-child')?.textContent ?? ''
		}))
	);
}
