/**
 * Worker process (see ./fleet.ts) for the failover benchmark: real connection machines
 * (machines/connection.ts), one per client id, each with a `ws` socket bound to the worker's
 * loopback address, sending `resume` (lastSeq 0, with its token) after every `connected`, so each
 * connection replays the client's whole log. Each client sends chats and notes which were acked;
 * after the failover `verify` checks that every acked chat has its answer in the log of the
 * client's current connection, once. Commands: start, chat, mark, progress, verify, stopAll.
 */
import WebSocket from 'ws';
import { createActor, type Actor } from 'xstate';
import { connectionMachine, connectionStateName } from '../machines/connection';
import { serveCommands } from './worker-rpc';

export interface StartArgs {
	/** ws://host:port/ws/ (the client id is appended). */
	baseUrl: string;
	localAddress: string;
	/** Index of this worker's first client: client ids are `failover-<index>`. */
	first: number;
	count: number;
	/** Actors connecting at once during the initial ramp. */
	concurrency: number;
	timeoutMs: number;
}

export interface FailoverProgress {
	open: number;
	/** Actors that left `open` since the mark, and those of them open again. */
	dropped: number;
	reopened: number;
}

export interface ChatRound {
	sent: number;
	acked: number;
	/** Replies ended (reply.end or reply.interrupted) for this round's chats. */
	ended: number;
	/** Chats sent again after the server refused them with their id. */
	resent: number;
}

export interface Tally {
	/** Chats acked by the server. */
	acked: number;
	/** Acked chats with no `reply.start` in the current connection's log. */
	lost: number;
	/** Acked chats whose reply started but neither ended nor was marked interrupted. */
	unfinished: number;
	/** Acked chats answered by more than one reply. */
	twice: number;
	/** Acked chats whose answer ended more than once (say `reply.end`, then `reply.interrupted`). */
	endedTwice: number;
	completed: number;
	interrupted: number;
}

export interface Verdict {
	/** Per round of chats (a chat id is `<round>-<client>-<k>`), after the replay. */
	rounds: Record<string, Tally>;
	/** Actors not open when the verdict was taken. */
	notOpen: number;
	/**
	 * Clients still missing the end of an acked chat's answer when the wait ran out; they connect
	 * again, so the tallies count what a fresh replay of the log shows.
	 */
	reconnected: number;
}

/** What one client knows: its token, its acked chats, and what its current connection showed. */
interface Client {
	actor: Actor<typeof connectionMachine>;
	token?: string;
	acked: Set<string>;
	/** inReplyTo -> reply ids seen on the current connection. */
	replies: Map<string, Set<string>>;
	/** replyId -> how it ended on the current connection (more than one: ended twice). */
	ends: Map<string, ('end' | 'interrupted')[]>;
	open: boolean;
	droppedAfterMark: boolean;
	reopenedAt: number;
}

let clients: Client[] = [];
let marked = false;
/** `error` frames the server sent, by code, since the last `errors` command. */
let errors = new Map<string, number>();
/** Resolved when a condition over all clients may have changed (a message, a state). */
let onChange: (() => void) | undefined;

function start(args: StartArgs): Promise<FailoverProgress> {
	const createSocket = (url: string) =>
		new WebSocket(url, { localAddress: args.localAddress, perMessageDeflate: false });
	marked = false;
	let next = 0;
	let opened = 0;
	return new Promise((resolve) => {
		const timer = setTimeout(() => resolve(progress()), args.timeoutMs);
		const launch = () => clients[next++]?.actor.send({ type: 'CONNECT' });
		clients = Array.from({ length: args.count }, (_, i) => {
			const actor = createActor(connectionMachine, {
				input: {
					url: `${args.baseUrl}failover-${args.first + i}`,
					config: { jitter: 0.25 },
					createSocket
				}
			});
			const client: Client = {
				actor,
				acked: new Set(),
				replies: new Map(),
				ends: new Map(),
				open: false,
				droppedAfterMark: false,
				reopenedAt: Number.NaN
			};
			actor.on('message', ({ message }) => onFrame(client, message as Frame));
			let everOpen = false;
			actor.subscribe((snapshot) => {
				const open = connectionStateName(snapshot) === 'open';
				if (open === client.open) return;
				client.open = open;
				if (!open && marked) client.droppedAfterMark = true;
				if (open && client.droppedAfterMark && Number.isNaN(client.reopenedAt)) {
					client.reopenedAt = Date.now();
				}
				onChange?.();
				if (open && !everOpen) {
					everOpen = true;
					opened += 1;
					if (opened === args.count) {
						clearTimeout(timer);
						resolve(progress());
					} else launch();
				}
			});
			actor.start();
			return client;
		});
		for (let k = 0; k < Math.min(args.concurrency, args.count); k += 1) launch();
	});
}

type Frame = {
	type?: string;
	token?: string;
	id?: string;
	seq?: number;
	replyId?: string;
	inReplyTo?: string;
	code?: string;
};

function onFrame(client: Client, frame: Frame): void {
	switch (frame.type) {
		case 'connected':
			client.token ??= frame.token;
			client.replies = new Map(); // the replay from seq 1 shows the whole log again
			client.ends = new Map();
			client.actor.send({
				type: 'SEND',
				data: JSON.stringify({
					type: 'resume',
					lastSeq: 0,
					...(client.token ? { token: client.token } : {})
				})
			});
			return;
		case 'ack':
			if (frame.id) client.acked.add(frame.id);
			break;
		case 'error':
			errors.set(String(frame.code), (errors.get(String(frame.code)) ?? 0) + 1);
			if (frame.id) onRefused?.(frame.id);
			return;
		case 'reply.start': {
			if (!frame.inReplyTo || !frame.replyId) return;
			const ids = client.replies.get(frame.inReplyTo) ?? new Set<string>();
			ids.add(frame.replyId);
			client.replies.set(frame.inReplyTo, ids);
			break;
		}
		case 'reply.end':
		case 'reply.interrupted':
			if (frame.replyId) {
				const how = client.ends.get(frame.replyId) ?? [];
				how.push(frame.type === 'reply.end' ? 'end' : 'interrupted');
				client.ends.set(frame.replyId, how);
			}
			if (frame.seq !== undefined) {
				client.actor.send({ type: 'SEND', data: JSON.stringify({ type: 'ack', seq: frame.seq }) });
			}
			break;
		default:
			return;
	}
	onChange?.();
}

/** Resolves once `done()` holds (checked on every change and every 250 ms) or after `timeoutMs`. */
function until(done: () => boolean, timeoutMs: number): Promise<void> {
	return new Promise((resolve) => {
		const deadline = Date.now() + timeoutMs;
		const check = () => {
			if (!done() && Date.now() < deadline) return;
			clearInterval(timer);
			onChange = undefined;
			resolve();
		};
		const timer = setInterval(check, 250);
		onChange = check;
		check();
	});
}

const ended = (client: Client, chatId: string) =>
	[...(client.replies.get(chatId) ?? [])].some((replyId) => client.ends.has(replyId));

/** Chats in flight at once in this worker: sent and not yet acked (or answered, when waiting for that). */
const CHATS_IN_FLIGHT = 50;
/** A chat refused with its id (busy, unavailable) is sent again this much later, as the page's outbox does. */
const RESEND_AFTER_MS = 1_000;
/** Called with the id of a chat the server refused (an `error` carrying its id). */
let onRefused: ((id: string) => void) | undefined;

/**
 * Every open client sends `perClient` chats (ids `<round>-<client>-<k>`), at most
 * CHATS_IN_FLIGHT at a time in this worker, a refused one again after RESEND_AFTER_MS; resolves
 * once all are acked, or, with `waitForReplies`, once their replies have ended too (or after
 * `timeoutMs`). Paced, like people typing, rather than every client in the same millisecond.
 */
async function chat(args: {
	round: string;
	perClient: number;
	waitForReplies: boolean;
	timeoutMs: number;
}): Promise<ChatRound> {
	const queue: { client: Client; id: string }[] = [];
	clients.forEach((client, i) => {
		if (!client.open) return;
		for (let k = 0; k < args.perClient; k += 1)
			queue.push({ client, id: `${args.round}-${i}-${k}` });
	});
	const all = [...queue];
	const inFlight = new Map<string, Client>();
	const send = (client: Client, id: string) =>
		client.actor.send({ type: 'SEND', data: JSON.stringify({ type: 'chat', id, text: 'Hello!' }) });
	const finished = (client: Client, id: string) =>
		args.waitForReplies ? ended(client, id) : client.acked.has(id);
	let resent = 0;
	onRefused = (id) => {
		const client = inFlight.get(id);
		if (!client) return;
		resent += 1;
		setTimeout(() => send(client, id), RESEND_AFTER_MS);
	};
	const pump = () => {
		for (const [id, client] of inFlight) if (finished(client, id)) inFlight.delete(id);
		while (inFlight.size < CHATS_IN_FLIGHT && queue.length > 0) {
			const { client, id } = queue.shift() as { client: Client; id: string };
			inFlight.set(id, client);
			send(client, id);
		}
		return queue.length === 0 && inFlight.size === 0;
	};
	await until(pump, args.timeoutMs);
	onRefused = undefined;
	const count = (pick: (client: Client, id: string) => boolean) =>
		all.filter(({ client, id }) => pick(client, id)).length;
	return {
		sent: all.length,
		acked: count((client, id) => client.acked.has(id)),
		ended: count(ended),
		resent
	};
}

function progress(): FailoverProgress {
	let open = 0;
	let dropped = 0;
	let reopened = 0;
	for (const client of clients) {
		if (client.open) open += 1;
		if (client.droppedAfterMark) dropped += 1;
		if (!Number.isNaN(client.reopenedAt)) reopened += 1;
	}
	return { open, dropped, reopened };
}

/** Waits until every acked chat's reply has ended on its client's current connection, then counts. */
async function verify(args: { timeoutMs: number }): Promise<Verdict> {
	const settled = () =>
		clients.every((client) => client.open && [...client.acked].every((id) => ended(client, id)));
	await until(settled, args.timeoutMs);
	// Missing live, perhaps only not delivered: does the stored log have it?
	const stuck = clients.filter((client) => [...client.acked].some((id) => !ended(client, id)));
	for (const { actor } of stuck) {
		actor.send({ type: 'DISCONNECT' });
		actor.send({ type: 'CONNECT' });
	}
	if (stuck.length > 0) await until(settled, 15_000);
	const verdict: Verdict = { rounds: {}, notOpen: 0, reconnected: stuck.length };
	for (const client of clients) {
		if (!client.open) verdict.notOpen += 1;
		for (const id of client.acked) {
			const round = id.slice(0, id.indexOf('-'));
			const tally = (verdict.rounds[round] ??= {
				acked: 0,
				lost: 0,
				unfinished: 0,
				twice: 0,
				endedTwice: 0,
				completed: 0,
				interrupted: 0
			});
			tally.acked += 1;
			const replies = [...(client.replies.get(id) ?? [])];
			if (replies.length === 0) tally.lost += 1;
			if (replies.length > 1) tally.twice += 1;
			const how = replies.flatMap((replyId) => client.ends.get(replyId) ?? []);
			if (how.length > 1) tally.endedTwice += 1;
			if (how.includes('end')) tally.completed += 1;
			else if (how.includes('interrupted')) tally.interrupted += 1;
			else if (replies.length > 0) tally.unfinished += 1;
		}
	}
	return verdict;
}

serveCommands({
	start,
	chat,
	mark() {
		for (const client of clients) {
			client.droppedAfterMark = false;
			client.reopenedAt = Number.NaN;
		}
		marked = true;
		return Date.now();
	},
	progress,
	errors() {
		const counted = Object.fromEntries(errors);
		errors = new Map();
		return counted;
	},
	/** Wall-clock times (Date.now) the dropped clients were open again; NaN: not yet. */
	reopenedAt: () =>
		Float64Array.from(
			clients.filter((client) => client.droppedAfterMark).map((client) => client.reopenedAt)
		),
	verify,
	stopAll() {
		for (const { actor } of clients) {
			actor.send({ type: 'DISCONNECT' });
			actor.stop();
		}
		clients = [];
		return true;
	}
});
