/**
 * Parsing and serialising wire messages. Parsers never throw: a bad frame becomes a
 * `bad_message` result that the caller can send back or log.
 */
import * as v from 'valibot';
import { clientMessageSchema, type ClientMessage } from './client-messages';
import { MAX_FRAME_BYTES, MAX_MESSAGE_ID_CHARS } from './limits';
import { serverMessageSchema, type ServerMessage } from './server-messages';

/** Why a frame was refused. `overLimit` marks a frame or chat text over the size limits (1009). */
export interface ParseError {
	code: 'bad_message';
	message: string;
	overLimit?: true;
	/** The refused message's `id`, when it had a string one (so an outbox can drop it). */
	id?: string;
}

export type ParseResult<M> = { ok: true; message: M } | { ok: false; error: ParseError };

type MessageSchema = typeof clientMessageSchema | typeof serverMessageSchema;

/** Validates one text frame from a client. */
export function parseClientMessage(raw: string): ParseResult<ClientMessage> {
	return parseWith(clientMessageSchema, raw);
}

/** Validates one text frame from the server. */
export function parseServerMessage(raw: string): ParseResult<ServerMessage> {
	return parseWith(serverMessageSchema, raw);
}

/**
 * Validates a server message the connection has already parsed from its frame (the socket actor
 * parses each frame once); `undefined` stands for a frame that was not JSON.
 */
export function validateServerMessage(data: unknown): ParseResult<ServerMessage> {
	return data === undefined ? failure('Not JSON') : validateWith(serverMessageSchema, data);
}

/** The JSON text frame for a message. */
export function serialize(message: ClientMessage | ServerMessage): string {
	return JSON.stringify(message);
}

function parseWith<S extends MessageSchema>(schema: S, raw: string): ParseResult<v.InferOutput<S>> {
	// A string longer than the byte limit in characters is certainly longer in bytes.
	if (typeof raw !== 'string') return failure('Expected a text frame');
	if (raw.length > MAX_FRAME_BYTES) return failure('Frame over 256 KiB', true);
	let data: unknown;
	try {
		data = JSON.parse(raw);
	} catch {
		return failure('Not JSON');
	}
	return validateWith(schema, data);
}

function validateWith<S extends MessageSchema>(
	schema: S,
	data: unknown
): ParseResult<v.InferOutput<S>> {
	if (typeof data !== 'object' || data === null || Array.isArray(data)) {
		return failure('Expected a JSON object with a "type"');
	}
	const result = v.safeParse(schema, data);
	if (result.success) return { ok: true, message: result.output as v.InferOutput<S> };
	const record = data as Record<string, unknown>;
	const error = failure(describe(record, result.issues), isOverLimit(result.issues));
	if (typeof record.id === 'string') error.error.id = record.id.slice(0, MAX_MESSAGE_ID_CHARS);
	return error;
}

function failure(message: string, overLimit = false): { ok: false; error: ParseError } {
	return {
		ok: false,
		error: overLimit
			? { code: 'bad_message', message, overLimit }
			: { code: 'bad_message', message }
	};
}

/** One readable sentence: which message, which field, what was wrong. */
function describe(data: Record<string, unknown>, issues: readonly v.BaseIssue<unknown>[]): string {
	const type = data.type;
	if (typeof type !== 'string') return 'Missing or non-string "type"';
	const first = issues[0];
	const path = first?.path?.map((item) => String(item.key)).join('.');
	if (!path || path === 'type') return `Unknown message type "${type.slice(0, 40)}"`;
	return `Invalid "${type}" message: ${path}: ${first?.message ?? 'invalid'}`;
}

/** Whether the only problem is a chat text over the length limit. */
function isOverLimit(issues: readonly v.BaseIssue<unknown>[]): boolean {
	return issues.some((issue) => issue.type === 'max_length' && issue.path?.at(-1)?.key === 'text');
}
