/**
 * What the server does with each frame from a client: rate limit, validate, dispatch. Refusals
 * come from the table in ./errors (a string code and, where the connection ends, a close code).
 */
import type { RawData } from 'ws';
import type { AcceptQueue } from './accept-queue';
import type { ClientMessage } from '../protocol/client-messages';
import { parseClientMessage } from '../protocol/parse';
import { ERROR_CODES } from '../protocol/server-messages';
import type { Conversations } from './conversations';
import { REFUSALS, type Refusal } from './errors';
import type { Logger } from './log';
import type { Session } from './session';
import type { AcceptedInput, MessageStore } from './store/message-store';

/** What the handler needs from the server: one object, shared by every connection. */
export interface HandlerDeps {
	store: MessageStore;
	/** Stores chats and stills, a turn's worth in one commit. */
	accepts: AcceptQueue;
	conversations: Conversations;
	log: Logger;
	maxBadMessages: number;
}

/** Handles one incoming frame. Never throws for anything a client can send. */
export function handleFrame(
	deps: HandlerDeps,
	session: Session,
	data: RawData,
	isBinary: boolean
): void {
	session.alive();
	if (session.closeIntent) return;
	if (!session.limiter.take()) return refuse(session, REFUSALS.rateLimited);
	if (isBinary) return badMessage(deps, session, 'Binary frames are not accepted; send JSON text');
	const parsed = parseClientMessage(rawText(data));
	if (!parsed.ok) {
		if (parsed.error.overLimit) return refuse(session, REFUSALS.tooBig);
		return badMessage(deps, session, parsed.error.message, parsed.error.id);
	}
	dispatch(deps, session, parsed.message);
}

function dispatch(deps: HandlerDeps, session: Session, message: ClientMessage): void {
	const { store, conversations } = deps;
	const { clientId } = session;
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
			store.acknowledge(clientId, message.seq);
			return;
		case 'interrupt':
			session.ensureResumed();
			conversations.of(clientId).interrupt(message.replyId);
			return;
		case 'chat': {
			const input = { kind: 'chat' as const, id: message.id, text: message.text };
			// Made before the commit: a conversation made while the batch settles would start on the
			// chats it finds pending in the store at once, before a still of the same batch reached it.
			conversations.of(clientId);
			accept(deps, session, input, () => conversations.of(clientId).chat(input));
			return;
		}
		case 'frame': {
			const { id, mime, width, height, data } = message;
			const image = { mime, width, height, data };
			conversations.of(clientId);
			accept(deps, session, { kind: 'frame', id, image }, () =>
				conversations.of(clientId).frame(image)
			);
			return;
		}
	}
}

/**
 * Stores the message durably (with the others of this turn: ./accept-queue), then acks it and,
 * if it is new, acts on it once. If the commit fails, the client gets an error and no ack, so it
 * sends the message again.
 */
function accept(
	deps: HandlerDeps,
	session: Session,
	input: AcceptedInput,
	actOnNew: () => void
): void {
	const { clientId } = session;
	session.ensureResumed();
	deps.accepts.add({ clientId, input }, (outcome) => {
		if (!outcome.ok) {
			deps.log.error(
				{ event: 'accept.failed', clientId, err: outcome.error },
				'storing a message failed'
			);
			session.send({
				type: 'error',
				code: ERROR_CODES.internalError,
				message: 'The server could not store that message; it was not accepted',
				id: input.id
			});
			return;
		}
		session.send({ type: 'ack', id: input.id });
		if (outcome.isNew) actOnNew();
	});
}

/** A bad message: say why; after too many, close with 1008. */
function badMessage(deps: HandlerDeps, session: Session, message: string, id?: string): void {
	session.stats.badMessages += 1;
	const tooMany = session.stats.badMessages >= deps.maxBadMessages;
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
