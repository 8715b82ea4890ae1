/**
 * What an operator scrapes from `GET /metrics` (Prometheus text format, prom-client): the
 * server's own counters and histograms on a registry of its own (not prom-client's global one,
 * so nothing else in the process adds to it), plus Node's process metrics.
 *
 * The metrics are module-level, as is usual with prom-client: the code that counts calls them in
 * one line where the thing happens (connections.ts, message-handler.ts, outbound.ts, session.ts,
 * conversation.ts, accept-queue.ts, talkline-core.ts). Every server of a process (tests make
 * several) counts into the same registry.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CLOSE } from '../protocol/limits';

const registry = new Registry();
const registers = [registry];

/** Close codes kept as their own label; any other application code (3000-4999) is `other`. */
const NAMED_APP_CODES = new Set<number>([
	CLOSE.keepaliveTimeout,
	CLOSE.invalidClientId,
	CLOSE.unauthorized
]);

/** Refusal reasons the server counts (an issue or a new limit may add more). */
const REFUSAL_REASONS = [
	'origin',
	'rate',
	'size',
	'bad_message',
	'unauthorized',
	'busy',
	'client_id',
	'unavailable'
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** A counter on this module's registry, with `labelNames` when it is counted by label. */
function counter<Label extends string = never>(
	name: string,
	help: string,
	labelNames: readonly Label[] = []
): Counter<Label> {
	return new Counter({ name, help, labelNames, registers });
}

export const metrics = {
	connectionsOpen: new Gauge({
		name: 'talkline_connections_open',
		help: 'WebSocket connections open now',
		registers
	}),
	connectionsOpened: counter(
		'talkline_connections_opened_total',
		'WebSocket connections accepted (upgraded)'
	),
	connectionsClosed: counter(
		'talkline_connections_closed_total',
		'WebSocket connections closed, by close code (1006: dropped or terminated)',
		['code']
	),
	messagesIn: counter(
		'talkline_messages_received_total',
		'Valid client messages received, by type',
		['type']
	),
	messagesOut: counter('talkline_messages_sent_total', 'Server messages sent, by type', ['type']),
	refusals: counter('talkline_refusals_total', 'Handshakes and messages refused, by reason', [
		'reason'
	]),
	replies: counter(
		'talkline_replies_total',
		'Replies by outcome: started, finished (reply.end), interrupted (reply.interrupted)',
		['outcome']
	),
	firstPieceSeconds: new Histogram({
		name: 'talkline_reply_first_piece_seconds',
		help: "Time from a reply's start to its first text piece (the brain's time to first token)",
		buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
		registers
	}),
	storeCommitSeconds: new Histogram({
		name: 'talkline_store_commit_seconds',
		help: 'Store writes: accept (a batch of client messages), append (a server message), arrive (a batch of arriving connections)',
		labelNames: ['op'] as const,
		buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
		registers
	}),
	backpressureCloses: counter(
		'talkline_backpressure_closes_total',
		'Sockets terminated because the client did not read what was sent to it'
	)
};

// Label values that exist from the start, so a dashboard shows 0 rather than nothing.
for (const outcome of ['started', 'finished', 'interrupted']) metrics.replies.inc({ outcome }, 0);
for (const reason of REFUSAL_REASONS) metrics.refusals.inc({ reason }, 0);

/** A refused handshake or message. */
export function countRefusal(reason: RefusalReason): void {
	metrics.refusals.inc({ reason });
}

/** A socket closed with `code`; bounded labels whatever code a client sends. */
export function countClose(code: number): void {
	const label = code < 3000 || NAMED_APP_CODES.has(code) ? String(code) : 'other';
	metrics.connectionsOpen.dec();
	metrics.connectionsClosed.inc({ code: label });
}

/** A socket was accepted. */
export function countOpen(): void {
	metrics.connectionsOpen.inc();
	metrics.connectionsOpened.inc();
}

let processMetrics = false;

/**
 * The exposition text. Node's process metrics start with the first scrape: their event-loop
 * monitor samples on a timer, which a server nobody scrapes should not pay for.
 */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
	if (!processMetrics) {
		processMetrics = true;
		collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
	}
	return { contentType: registry.contentType, body: await registry.metrics() };
}
