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
import { countRefusal, metrics } from './metrics';
import type { Session } from './session';
import type { AcceptedInput, MessageStore } from './store/message-store';
import { isStoreUnavailable } from './store/unavailable';
import { CLOSE } from '../protocol/limits';

/** What the handler needs from the server: one object, shared by every connection. */
export interface HandlerDeps {
	store: MessageStore;
	/** Stores chats and stills, a turn's worth in one commit. */
	accepts: AcceptQueue;
	conversations: Conversations;
	log: Logger;
	maxBadMessages: number;
	/** Chats of one client id that may wait for the brain; more get `busy` (not acked). */
	maxPendingChats: number;
	/** The session has proved its token: it becomes the owner of its client id. */
	becomeOwner: (session: Session) => void;
}

/** Handles one incoming frame. Never throws for anything a client can send. */
export function handleFrame(
	deps: HandlerDeps,
	session: Session,
	data: RawData,
	isBinary: boolean
): void {
	session.heard();
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
	metrics.messagesIn.inc({ type: message.type });
	switch (message.type) {
		case 'ping':
			session.send({ type: 'pong', ts: Date.now() });
			return;
		case 'pong':
			session.pong(message.ts);
			return;
		case 'resume': {
			if (!session.owner) {
				if (message.token === undefined) return refuse(session, REFUSALS.unauthorized);
				if (!session.proves(message.token)) return refuse(session, REFUSALS.wrongToken);
				deps.becomeOwner(session);
			}
			session.resuming();
			void resume(deps, session, message.lastSeq, message.epoch);
			return;
		}
		default:
			if (!session.owner) return refuse(session, REFUSALS.unauthorized, idOf(message));
			return dispatchOwned(deps, session, message);
	}
}

/** Messages only the owner of the client id may send. */
function dispatchOwned(deps: HandlerDeps, session: Session, message: ClientMessage): void {
	const { store, conversations } = deps;
	const { clientId } = session;
	switch (message.type) {
		case 'ack':
			// Records delivery; the log is trimmed only by retention (the page replays it on load).
			session.ensureResumed();
			store
				.acknowledge(clientId, message.seq)
				.catch((error: unknown) =>
					deps.log.warn({ event: 'ack.failed', clientId, err: error }, 'an ack was not recorded')
				);
			return;
		case 'interrupt':
			session.ensureResumed();
			conversations.of(clientId).interrupt(message.replyId);
			return;
		case 'chat': {
			const input = { kind: 'chat' as const, id: message.id, text: message.text };
			// Made before the commit: a conversation made while the batch settles would start on the
			// chats it finds pending in the store at once, before a still of the same batch reached it.
			const conversation = conversations.of(clientId);
			if (!conversation.reserve(input.id, deps.maxPendingChats))
				return refuse(session, REFUSALS.busy, input.id);
			accept(deps, session, input, (outcome) => {
				conversation.settled();
				if (outcome === 'failed')
					conversations.release(clientId); // forgotten if its client has gone
				else void conversations.of(clientId).chat(input, outcome === 'again');
			});
			return;
		}
		case 'frame': {
			const { id, mime, width, height, data } = message;
			const image = { mime, width, height, data };
			conversations.of(clientId);
			accept(deps, session, { kind: 'frame', id, image }, (outcome) => {
				if (outcome === 'new') conversations.of(clientId).frame(image);
			});
			return;
		}
	}
}

/** How storing a client message turned out: new, seen before, or not stored (commit failed). */
type Stored = 'new' | 'again' | 'failed';

/**
 * Stores the message durably (with the others of this turn: ./accept-queue), then acks it, and
 * tells `settled` how it went (act on it once, when it is new). If the commit fails, the client
 * gets an error and no ack, so it sends the message again.
 */
function accept(
	deps: HandlerDeps,
	session: Session,
	input: AcceptedInput,
	settled: (outcome: Stored) => void
): void {
	const { clientId } = session;
	session.ensureResumed();
	deps.accepts.add({ clientId, input }, (outcome) => {
		if (!outcome.ok) {
			settled('failed');
			deps.log.error(
				{ event: 'accept.failed', clientId, err: outcome.error },
				'storing a message failed'
			);
			const unavailable = isStoreUnavailable(outcome.error);
			session.send({
				type: 'error',
				code: unavailable ? ERROR_CODES.unavailable : ERROR_CODES.internalError,
				message: unavailable
					? 'The store cannot be reached; the message was not accepted, send it again later'
					: 'The server could not store that message; it was not accepted',
				id: input.id
			});
			return;
		}
		session.send({ type: 'ack', id: input.id });
		settled(outcome.value ? 'new' : 'again');
	});
}

/** Checks a `resume` against the store, then replays (or says why not). */
async function resume(
	deps: HandlerDeps,
	session: Session,
	lastSeq: number,
	epoch: string | undefined
): Promise<void> {
	let why: string | undefined;
	try {
		why = await session.refusesResume(lastSeq, epoch);
	} catch (error) {
		session.resumeRefused();
		deps.log.warn(
			{ event: 'resume.failed', clientId: session.clientId, err: error },
			'resume failed'
		);
		session.close(CLOSE.tryAgainLater, 'store unavailable');
		return;
	}
	if (why) {
		session.resumeRefused();
		return badMessage(deps, session, why);
	}
	await session.resume(lastSeq, epoch);
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
	if (refusal.counted) countRefusal(refusal.counted);
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

function idOf(message: ClientMessage): string | undefined {
	return 'id' in message ? message.id : undefined;
}

function rawText(data: RawData): string {
	if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
	return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
