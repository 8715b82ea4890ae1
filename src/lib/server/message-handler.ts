/**
 * What the server does with each frame from a client: rate limit, validate, dispatch. Refusals
 * come from the table in ./errors (a string code and, where the connection ends, a close code).
 */
import type { RawData } from 'ws';
import type { ClientMessage } from '../protocol/client-messages';
import { parseClientMessage } from '../protocol/parse';
import type { Conversation } from './conversation';
import { REFUSALS, type Refusal } from './errors';
import type { Session } from './session';
import type { AcceptedInput, MessageStore } from './store/message-store';

export interface HandlerContext {
	session: Session;
	store: MessageStore;
	/** The client id's conversation, made on first use. */
	conversation: () => Conversation;
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
			// The conversation first: a new one loads the chats pending in the store, not this one.
			const conversation = context.conversation();
			if (accept(context, input)) conversation.chat(input);
			return;
		}
		case 'frame': {
			const { id, mime, width, height, data } = message;
			const image = { mime, width, height, data };
			const conversation = context.conversation();
			if (accept(context, { kind: 'frame', id, image })) conversation.frame(image);
			return;
		}
	}
}

/** Stores the message (durably), acks it, and says whether it is new (to be acted on once). */
function accept(context: HandlerContext, input: AcceptedInput): boolean {
	const { session, store } = context;
	session.ensureResumed();
	const isNew = store.acceptClientMessage(session.clientId, input);
	session.send({ type: 'ack', id: input.id });
	return isNew;
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
