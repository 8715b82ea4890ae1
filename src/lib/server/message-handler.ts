/**
 * What the server does with each frame from a client: rate limit, validate, dispatch. Refusals
 * come from the table in ./errors (a string code and, where the connection ends, a close code).
 */
import type { RawData } from 'ws';
import type { AcceptQueue } from './accept-queue';
import type { ClientMessage } from '../protocol/client-messages';
import { parseClientMessage } from '../protocol/parse';
import { ERROR_CODES } from '../protocol/server-messages';
import type { Conversation } from './conversation';
import { REFUSALS, type Refusal } from './errors';
import type { Session } from './session';
import type { AcceptedInput, MessageStore } from './store/message-store';

export interface HandlerContext {
	session: Session;
	store: MessageStore;
	/** Stores chats and stills, a turn's worth in one commit. */
	accepts: AcceptQueue;
	/** The client id's conversation, made on first use. */
	conversation: () => Conversation;
	/** A message was handled but its work failed (the store): logged by the caller. */
	onFault: (error: unknown) => void;
	maxBadMessages: number;
}

/** Handles one incoming frame. Never throws for anything a client can send. */
export function handleFrame(context: HandlerContext, data: RawData, isBinary: boolean): void {
	const { session } = context;
	session.alive();
	if (session.closeIntent) return;
	if (!session.limiter.take()) return refuse(session, REFUSALS.rateLimited);
	if (isBinary) return badMessage(context, 'Binary frames are not accepted; send JSON text');
	const parsed = parseClientMessage(rawText(data));
	if (!parsed.ok) {
		if (parsed.error.overLimit) return refuse(session, REFUSALS.tooBig);
		return badMessage(context, parsed.error.message, parsed.error.id);
	}
	dispatch(context, parsed.message);
}

function dispatch(context: HandlerContext, message: ClientMessage): void {
	const { session, store } = context;
	switch (message.type) {
		case 'ping':
			session.send({ type: 'pong', ts: Date.now() });
			return;
		case 'pong':
			session.pong(message.ts);
			return;
		case 'resume':
			void session.resume(message.lastSeq);
			return;
		case 'ack':
			// Records delivery; the log is trimmed only by retention (the page replays it on load).
			session.ensureResumed();
			store.acknowledge(session.clientId, message.seq);
			return;
		case 'interrupt':
			session.ensureResumed();
			context.conversation().interrupt(message.replyId);
			return;
		case 'chat': {
			const input = { kind: 'chat' as const, id: message.id, text: message.text };
			// A conversation made just now reads this chat from the store too; chat() knows it then.
			accept(context, input, () => context.conversation().chat(input));
			return;
		}
		case 'frame': {
			const { id, mime, width, height, data } = message;
			const image = { mime, width, height, data };
			accept(context, { kind: 'frame', id, image }, () => context.conversation().frame(image));
			return;
		}
	}
}

/**
 * Stores the message durably (with the others of this turn: ./accept-queue), then acks it and,
 * if it is new, acts on it once. If the commit fails, the client gets an error and no ack, so it
 * sends the message again.
 */
function accept(context: HandlerContext, input: AcceptedInput, actOnNew: () => void): void {
	const { session } = context;
	session.ensureResumed();
	context.accepts.add({ clientId: session.clientId, input }, (outcome) => {
		if (!outcome.ok) {
			context.onFault(outcome.error);
			session.send({
				type: 'error',
				code: ERROR_CODES.internalError,
				message: 'The server could not store that message; send it again',
				id: input.id
			});
			return;
		}
		session.send({ type: 'ack', id: input.id });
		if (outcome.isNew) actOnNew();
	});
}

/** A bad message: say why; after too many, close with 1008. */
function badMessage(context: HandlerContext, message: string, id?: string): void {
	const { session } = context;
	session.stats.badMessages += 1;
	const tooMany = session.stats.badMessages >= context.maxBadMessages;
	refuse(session, REFUSALS.badMessage(message), id);
	if (tooMany) refuse(session, REFUSALS.tooManyBadMessages);
}

/** Sends the refusal's error, if it has a code, then closes if it says so. */
function refuse(session: Session, refusal: Refusal, id?: string): void {
	if (refusal.code) {
		session.send({
			type: 'error',
			code: refusal.code,
			message: refusal.message,
			...(id ? { id } : {})
		});
	}
	if (refusal.close) session.close(refusal.close.code, refusal.close.reason);
}

function rawText(data: RawData): string {
	if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
	return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
