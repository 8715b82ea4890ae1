/**
 * Worker process (see ./fleet.ts) holding plain `ws` clients, each behaving like a quiet page:
 * `resume` after `connected`, a `pong` for every server `ping`, nothing else unless told to chat.
 * It measures on its own clock: handshake times, gaps between consecutive server pings, and
 * the timing of streamed replies. Commands: connect, startGaps, gaps, chat, closeAll.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { serveCommands } from './worker-rpc';

export interface ConnectArgs {
	/** ws://host:port/ws/ (the client id is appended). */
	baseUrl: string;
	localAddress: string;
	/** Index of this worker's first client: client ids are `bench-<index>`. */
	first: number;
	count: number;
	/** Handshakes in flight at once in this worker. */
	concurrency: number;
	/**
	 * Where this batch starts among the worker's clients (0 by default: a new set). A later batch
	 * keeps the clients already open; `total` is how many the worker will hold in all.
	 */
	offset?: number;
	total?: number;
}

export interface ConnectResult {
	/** Per client: from `new WebSocket` to the `connected` message, ms (NaN if it failed). */
	handshakeMs: Float64Array;
	/** Wall-clock (Date.now) of the first attempt and of the last `connected`. */
	startedAt: number;
	endedAt: number;
	failed: number;
	firstError?: string;
}

export interface ChatResult {
	/** chat sent -> its `ack`, ms. */
	ackMs: number[];
	/** chat sent -> first `reply.delta`, ms. */
	firstDeltaMs: number[];
	/** Gaps between consecutive `reply.delta`s of one reply, ms. */
	deltaGapMs: number[];
	completed: number;
	interrupted: number;
	unfinished: number;
}

type Chat = { sentAt: number; ackAt?: number; lastDeltaAt?: number; done?: 'end' | 'interrupted' };

const clients: WebSocket[] = [];
let pingIntervalMs = Number.NaN;
let lastPingAt = new Float64Array(0);
let gaps: number[] = [];
let recordingGaps = false;
let dropped = 0;
const chats = new Map<number, Chat>();
let chatResult: ChatResult = emptyChatResult();
let onChatDone: (() => void) | undefined;
/** Numbers each `chat` command, so that ids are new every time (the server answers an id once). */
let round = 0;

function emptyChatResult(): ChatResult {
	return {
		ackMs: [],
		firstDeltaMs: [],
		deltaGapMs: [],
		completed: 0,
		interrupted: 0,
		unfinished: 0
	};
}

/** Opens `count` clients, `concurrency` at a time; resolves when every one connected or failed. */
function connect(args: ConnectArgs): Promise<ConnectResult> {
	const handshakeMs = new Float64Array(args.count).fill(Number.NaN);
	const offset = args.offset ?? 0;
	if (offset === 0) lastPingAt = new Float64Array(args.total ?? args.count).fill(Number.NaN);
	const result: ConnectResult = { handshakeMs, startedAt: Date.now(), endedAt: 0, failed: 0 };
	let next = 0;
	let settled = 0;
	return new Promise((resolve) => {
		const launch = () => {
			if (next >= args.count) return;
			const k = next++;
			const i = offset + k; // among the worker's clients
			const startedAt = performance.now();
			const ws = new WebSocket(`${args.baseUrl}bench-${args.first + k}`, {
				localAddress: args.localAddress,
				perMessageDeflate: false
			});
			clients[i] = ws;
			let done = false;
			const finish = (error?: string) => {
				if (done) return;
				done = true;
				if (error === undefined) {
					handshakeMs[k] = performance.now() - startedAt;
					result.endedAt = Date.now();
				} else {
					result.failed += 1;
					result.firstError ??= error;
				}
				settled += 1;
				if (settled === args.count) resolve(result);
				else launch();
			};
			ws.on('error', (error) => finish(error.message));
			ws.on('close', (code) => {
				// A connection that was up and went away: counted while idle (failures are not drops).
				if (!done) finish(`closed ${code}`);
				else if (!Number.isNaN(handshakeMs[k] as number)) dropped += 1;
			});
			ws.on('message', (data) => onMessage(i, ws, String(data), finish));
		};
		for (let k = 0; k < Math.min(args.concurrency, args.count); k += 1) launch();
	});
}

function onMessage(i: number, ws: WebSocket, text: string, connected: () => void): void {
	const message = JSON.parse(text) as { type: string; [key: string]: unknown };
	const now = performance.now();
	switch (message.type) {
		case 'connected':
			pingIntervalMs = Number(message.pingIntervalMs);
			// Each connection is a new client id: it claims it, and so needs no token in `resume`.
			ws.send(JSON.stringify({ type: 'resume', lastSeq: 0 }));
			connected();
			return;
		case 'ping': {
			ws.send(JSON.stringify({ type: 'pong', ts: message.ts }));
			const previous = lastPingAt[i] as number;
			if (recordingGaps && !Number.isNaN(previous)) gaps.push(now - previous);
			lastPingAt[i] = now;
			return;
		}
		case 'ack':
		case 'reply.delta':
		case 'reply.end':
		case 'reply.interrupted':
			return onReply(i, ws, message, now);
	}
}

function onReply(i: number, ws: WebSocket, message: Record<string, unknown>, now: number): void {
	const chat = chats.get(i);
	if (!chat || chat.done) return;
	if (message.type === 'ack') {
		chat.ackAt = now;
		chatResult.ackMs.push(now - chat.sentAt);
	} else if (message.type === 'reply.delta') {
		if (chat.lastDeltaAt === undefined) chatResult.firstDeltaMs.push(now - chat.sentAt);
		else chatResult.deltaGapMs.push(now - chat.lastDeltaAt);
		chat.lastDeltaAt = now;
	} else {
		chat.done = message.type === 'reply.end' ? 'end' : 'interrupted';
		chatResult[chat.done === 'end' ? 'completed' : 'interrupted'] += 1;
		ws.send(JSON.stringify({ type: 'ack', seq: message.seq })); // lets the server trim its log
		if (chatResult.completed + chatResult.interrupted === chats.size) onChatDone?.();
	}
}

/** The first `count` clients each send one chat at once; resolves when every reply ended. */
async function chat(args: { count: number; text: string; timeoutMs: number }): Promise<ChatResult> {
	chats.clear();
	chatResult = emptyChatResult();
	round += 1;
	const done = new Promise<void>((resolve) => {
		onChatDone = resolve;
		setTimeout(resolve, args.timeoutMs).unref();
	});
	for (let i = 0; i < Math.min(args.count, clients.length); i += 1) {
		const ws = clients[i];
		if (ws?.readyState !== WebSocket.OPEN) continue;
		chats.set(i, { sentAt: performance.now() });
		ws.send(JSON.stringify({ type: 'chat', id: `bench-chat-${round}-${i}`, text: args.text }));
	}
	if (chats.size === 0) return chatResult;
	await done;
	chatResult.unfinished = [...chats.values()].filter((c) => !c.done).length;
	return chatResult;
}

serveCommands({
	connect,
	startGaps() {
		gaps = [];
		dropped = 0;
		recordingGaps = true;
		return true;
	},
	gaps() {
		recordingGaps = false;
		return { gaps: Float64Array.from(gaps), pingIntervalMs, dropped };
	},
	chat,
	closeAll() {
		for (const ws of clients) ws?.terminate();
		clients.length = 0;
		return true;
	}
});
