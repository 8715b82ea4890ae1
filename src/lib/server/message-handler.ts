/**
 * What the server does with each frame from a client: rate limit, validate, dispatch. Every
 * refusal is an `error` with a string code and, where the connection must end, a close code.
 */
import type { RawData } from 'ws';
import type { ClientMessage } from '../protocol/client-messages';
import { CLOSE, CLOSE_REASON } from '../protocol/limits';
import { parseClientMessage } from '../protocol/parse';
import { ERROR_CODES } from '../protocol/server-messages';
import type { Conversation } from './conversation';
import type { Session } from './session';
import type { MessageStore } from './store/message-store';

export interface HandlerContext {
	session: Session;
	store: MessageStore;
	/** The client id's conversation, made on first use. */
	conversation: () => Conversation;
	maxBadMessages: number;
}

/** Handles one incoming frame. Never throws. */
export function handleFrame(context: HandlerContext, data: RawData, isBinary: boolean): void {
	const { session } = context;
	session.alive();
	if (session.closeIntent) return;
	if (!session.limiter.take()) {
		session.send({
			type: 'error',
			code: ERROR_CODES.rateLimited,
			message: 'Too many messages; slow down'
		});
		session.close(CLOSE.policyViolation, CLOSE_REASON.rateLimited);
		return;
	}
	if (isBinary) return refuse(context, 'Binary frames are not accepted; send JSON text');
	const parsed = parseClientMessage(rawText(data));
	if (!parsed.ok) {
		if (parsed.error.overLimit)
			return session.close(CLOSE.messageTooBig, CLOSE_REASON.messageTooBig);
		return refuse(context, parsed.error.message, parsed.error.id);
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
			session.ensureResumed();
			store.trim(session.clientId, Math.min(message.seq, store.lastSeq(session.clientId)));
			return;
		case 'interrupt':
			session.ensureResumed();
			context.conversation().interrupt(message.replyId);
			return;
		case 'chat':
			return accept(context, message.id, () =>
				context.conversation().answer({ kind: 'chat', id: message.id, text: message.text })
			);
		case 'frame': {
			const { id, mime, width, height, data } = message;
			return accept(context, id, () =>
				context.conversation().answer({ kind: 'frame', id, image: { mime, width, height, data } })
			);
		}
	}
}

/** Stores the id, acks it, and answers it only the first time it is seen. */
function accept(context: HandlerContext, id: string, answer: () => void): void {
	const { session, store } = context;
	session.ensureResumed();
	const isNew = store.acceptClientMessage(session.clientId, id);
	session.send({ type: 'ack', id });
	if (isNew) answer();
}

/** A bad message: say why; after too many, close with 1008. */
function refuse(context: HandlerContext, message: string, id?: string): void {
	const { session } = context;
	session.stats.badMessages += 1;
	session.send({ type: 'error', code: ERROR_CODES.badMessage, message, ...(id ? { id } : {}) });
	if (session.stats.badMessages >= context.maxBadMessages) {
		session.close(CLOSE.policyViolation, CLOSE_REASON.tooManyBadMessages);
	}
}

function rawText(data: RawData): string {
	if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
	return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
