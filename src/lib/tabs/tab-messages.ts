/**
 * What the tabs of one client id say to each other over their `BroadcastChannel`: one valibot
 * schema per message, validated on arrival like every message from the server (another tab may
 * run an older build of the page). `from` is the sending tab's id; `to`, when present, the one
 * tab a reply is meant for.
 *
 * The tab holding the connection (the leader) sends: `leader` when it takes over, `snapshot` at
 * every step of its machine, `log` (the inspector's event log) at every change of it, `server` for every message from the server, `outbox` at every
 * change of its outbox, `history` and `taken` in reply. The others (followers) send `hello` (with
 * what they have seen), `submit` (a message typed there), `command` (Connect, Disconnect,
 * Retry) and `interrupt`. Any tab sends `voice` when it becomes the one that speaks aloud.
 */
import * as v from 'valibot';
import { chatSchema, frameSchema } from '$lib/protocol/client-messages';
import {
	replyDeltaSchema,
	replyEndSchema,
	replyInterruptedSchema,
	replyStartSchema,
	serverMessageSchema
} from '$lib/protocol/server-messages';
import { CONNECTION_COMMANDS } from '$lib/connection/connection-view.svelte';

const tabId = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
const seq = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const close = v.object({ code: v.number(), reason: v.string() });
const nullableNumber = v.nullable(v.number());

/** The connection machine's context without its functions: what a follower's mirror shows. */
export const mirroredContextSchema = v.object({
	url: v.string(),
	config: v.object({
		maxReconnectAttempts: v.number(),
		baseReconnectDelay: v.number(),
		maxReconnectDelay: v.number(),
		jitter: v.number(),
		staleAfter: v.number(),
		pingTimeout: v.number(),
		connectTimeout: v.number(),
		stableAfter: v.number()
	}),
	clientId: v.nullable(v.string()),
	attempt: v.number(),
	nextDelay: nullableNumber,
	retryAt: nullableNumber,
	lastMessageAt: nullableNumber,
	openedAt: nullableNumber,
	lastClose: v.nullable(close),
	online: v.boolean(),
	why: v.nullable(
		v.object({
			event: v.string(),
			code: v.optional(v.number()),
			reason: v.optional(v.string()),
			at: v.number()
		})
	)
});

/** A machine state value: a state's name, or nested ones (`{ session: { live: 'open' } }`). */
export type MirroredValue = string | { [state: string]: MirroredValue };
const stateValueSchema: v.GenericSchema<MirroredValue> = v.union([
	v.string(),
	v.record(
		v.string(),
		v.lazy(() => stateValueSchema)
	)
]);

const sequencedSchema = v.variant('type', [
	replyStartSchema,
	replyDeltaSchema,
	replyEndSchema,
	replyInterruptedSchema
]);

/** One row of the inspector's event log (`$lib/inspector/event-log`). */
const logEntrySchema = v.object({
	seq: v.number(),
	at: v.number(),
	event: v.string(),
	label: v.string(),
	from: v.string(),
	to: v.string(),
	reason: v.object({
		kind: v.picklist([
			'start',
			'user',
			'timeout',
			'close',
			'error',
			'socket',
			'browser',
			'internal'
		]),
		text: v.string(),
		code: v.optional(v.number()),
		reason: v.optional(v.string())
	})
});

export const tabMessageSchema = v.variant('type', [
	v.object({ type: v.literal('log'), from: tabId, entries: v.array(logEntrySchema) }),
	v.object({ type: v.literal('leader'), from: tabId }),
	v.object({
		type: v.literal('snapshot'),
		from: tabId,
		value: stateValueSchema,
		context: mirroredContextSchema
	}),
	v.object({ type: v.literal('server'), from: tabId, message: serverMessageSchema }),
	v.object({
		type: v.literal('outbox'),
		from: tabId,
		entries: v.array(
			v.object({
				id: v.string(),
				state: v.picklist(['pending', 'sent', 'acked']),
				text: v.optional(v.string())
			})
		)
	}),
	v.object({
		type: v.literal('history'),
		from: tabId,
		to: tabId,
		epoch: v.optional(v.string()),
		messages: v.array(sequencedSchema)
	}),
	v.object({ type: v.literal('taken'), from: tabId, to: tabId, id: v.string() }),
	v.object({
		type: v.literal('hello'),
		from: tabId,
		lastSeq: seq,
		epoch: v.optional(v.string())
	}),
	v.object({
		type: v.literal('submit'),
		from: tabId,
		message: v.variant('type', [chatSchema, frameSchema]),
		withImage: v.boolean()
	}),
	v.object({ type: v.literal('command'), from: tabId, command: v.picklist(CONNECTION_COMMANDS) }),
	v.object({ type: v.literal('interrupt'), from: tabId, replyId: v.optional(v.string()) }),
	v.object({ type: v.literal('voice'), from: tabId })
]);

export type TabMessage = v.InferOutput<typeof tabMessageSchema>;
export type MirroredContext = v.InferOutput<typeof mirroredContextSchema>;
/** A tab message before the channel stamps it with the sender. */
export type OutgoingTabMessage = TabMessage extends infer M
	? M extends { from: string }
		? Omit<M, 'from'>
		: never
	: never;

export type TabMessageResult = { ok: true; message: TabMessage } | { ok: false; error: string };

/** Validates a message from another tab; never throws. */
export function parseTabMessage(data: unknown): TabMessageResult {
	const result = v.safeParse(tabMessageSchema, data);
	if (result.success) return { ok: true, message: result.output };
	const issue = result.issues[0];
	const where = v.getDotPath(issue);
	return { ok: false, error: where ? `${where}: ${issue.message}` : issue.message };
}
