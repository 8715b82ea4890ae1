/**
 * A real `ws` client for server tests: records every message and the close, and lets a test
 * wait for the next message of a type. Waits have a generous deadline that only turns a hang into
 * a readable failure; no test passes or fails on timing.
 */
import WebSocket, { type ClientOptions } from 'ws';
import type { ClientMessage } from '../../src/lib/protocol/client-messages';
import { parseServerMessage } from '../../src/lib/protocol/parse';
import type { ServerMessage } from '../../src/lib/protocol/server-messages';

/** Longest wait for anything before a test fails with a description of what it waited for. */
export const WAIT_MS = 4_000; // under Vitest's 5 s test timeout, so the reason shows

export interface CloseEvent {
	code: number;
	reason: string;
}

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** What proves a client id is ours: the token from the `connected` that claimed it, and its epoch. */
export interface Credentials {
	token: string;
	epoch: string;
}

export class TestClient {
	readonly ws: WebSocket;
	/** Every server message so far, in order. */
	readonly received: ServerMessage[] = [];
	/** Settles with the close code and reason (1006 for a dropped connection). */
	readonly closed: Promise<CloseEvent>;
	readonly opened: Promise<void>;
	/** Indexes of `received` already returned by `next…`. */
	readonly #taken = new Set<number>();
	#waiters: (() => void)[] = [];

	constructor(url: string, options: ClientOptions = {}) {
		this.ws = new WebSocket(url, options);
		this.ws.on('error', () => {}); // failures surface through `opened` and `closed`
		this.opened = new Promise((resolve, reject) => {
			this.ws.once('open', () => resolve());
			this.ws.once('unexpected-response', (_req, res) =>
				reject(new Error(`HTTP ${res.statusCode}`))
			);
			this.ws.once('close', (code) => reject(new Error(`closed ${code} before opening`)));
		});
		this.opened.catch(() => {});
		this.closed = new Promise((resolve) => {
			this.ws.once('close', (code, reason) => {
				resolve({ code, reason: reason.toString() });
				this.#wake();
			});
		});
		this.ws.on('message', (data, isBinary) => {
			const parsed = parseServerMessage(isBinary ? '' : data.toString());
			if (!parsed.ok)
				throw new Error(`The server sent an invalid message: ${parsed.error.message}`);
			this.received.push(parsed.message);
			this.#wake();
		});
	}

	/** Sends a protocol message. */
	send(message: ClientMessage): void {
		this.ws.send(JSON.stringify(message));
	}

	/**
	 * The token and epoch from this connection's `connected`, when it claimed its client id (a
	 * later connection proves ownership with them). Throws if it did not claim the id.
	 */
	get credentials(): Credentials {
		const connected = this.received.find((m) => m.type === 'connected');
		if (connected?.type !== 'connected' || connected.token === undefined)
			throw new Error('This connection did not claim its client id (no token in "connected")');
		return { token: connected.token, epoch: connected.epoch };
	}

	/** Sends `resume` with `lastSeq` and, when given, the token and epoch that prove ownership. */
	resume(lastSeq: number, credentials?: Credentials): void {
		this.send({ type: 'resume', lastSeq, ...credentials });
	}

	/** Sends anything as it is: text, binary, malformed JSON. */
	sendRaw(data: string | Buffer, binary = false): void {
		this.ws.send(data, { binary });
	}

	/**
	 * The first message of this type not yet taken by an earlier `next…` call, waiting for it if
	 * needed. Messages of other types stay available to later calls.
	 */
	async next<T extends ServerMessage['type']>(type: T, timeoutMs = WAIT_MS): Promise<Of<T>> {
		return (await this.nextMatching(
			(m) => m.type === type,
			`a "${type}" message`,
			timeoutMs
		)) as Of<T>;
	}

	/** The first message not yet taken that matches, waiting for it if needed. */
	async nextMatching(
		match: (message: ServerMessage) => boolean,
		what = 'a matching message',
		timeoutMs = WAIT_MS
	): Promise<ServerMessage> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const index = this.received.findIndex((m, i) => !this.#taken.has(i) && match(m));
			if (index >= 0) {
				this.#taken.add(index);
				return this.received[index] as ServerMessage;
			}
			if (this.ws.readyState === WebSocket.CLOSED)
				throw new Error(`Closed while waiting for ${what}`);
			if (!(await this.#wait(deadline))) throw new Error(`No ${what} within ${timeoutMs} ms`);
		}
	}

	/** Every message of a reply, from its start to its end or interruption. */
	async reply(inReplyTo: string): Promise<ServerMessage[]> {
		const start = await this.nextMatching(
			(m) => m.type === 'reply.start' && m.inReplyTo === inReplyTo,
			`reply.start for ${inReplyTo}`
		);
		const messages: ServerMessage[] = [start];
		const replyId = start.type === 'reply.start' ? start.replyId : '';
		for (;;) {
			const message = await this.nextMatching(
				(m) => 'replyId' in m && m.replyId === replyId,
				`the rest of reply ${replyId}`
			);
			messages.push(message);
			if (message.type === 'reply.end' || message.type === 'reply.interrupted') return messages;
		}
	}

	/** Closes (if open) and waits for the close. */
	async close(code = 1000): Promise<CloseEvent> {
		if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
			this.ws.close(code);
		return this.closed;
	}

	#wait(deadline: number): Promise<boolean> {
		return new Promise((resolve) => {
			const timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
			this.#waiters.push(() => {
				clearTimeout(timer);
				resolve(true);
			});
		});
	}

	#wake(): void {
		const waiters = this.#waiters;
		this.#waiters = [];
		for (const wake of waiters) wake();
	}
}

/** Opens a client and waits for its `connected` message. */
export async function connectClient(url: string, options: ClientOptions = {}): Promise<TestClient> {
	const client = new TestClient(url, options);
	await client.opened;
	await client.next('connected');
	return client;
}

/** The clients a test opened, so that its `afterEach` closes them all in one call. */
export class OpenClients {
	readonly #clients: TestClient[] = [];

	/** Opens a client as `connectClient` does, and keeps it. */
	async connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
		return this.keep(await connectClient(url, options));
	}

	/** Keeps a client made elsewhere (one still opening, or one that may never open). */
	keep(client: TestClient): TestClient {
		this.#clients.push(client);
		return client;
	}

	/** Closes every kept client, waits for the closes, and forgets them. */
	async closeAll(): Promise<void> {
		await Promise.all(this.#clients.splice(0).map((client) => client.close()));
	}
}

/** Resolves when `condition()` is true, polling; fails with `what` after WAIT_MS. */
export async function eventually(
	condition: () => boolean | Promise<boolean>,
	what: string
): Promise<void> {
	const deadline = Date.now() + WAIT_MS;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
