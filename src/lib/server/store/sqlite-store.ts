/**
 * The durable MessageStore: one SQLite file (better-sqlite3, WAL mode) under DATA_DIR. Every
 * method is one small transaction over prepared statements, so whatever the server acked or sent
 * is on disk, and a crash (kill -9) leaves the file consistent. Retention: ./retention.
 */
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { SequencedMessage, UnsequencedMessage } from '../../protocol/server-messages';
import type { ImageInput } from '../../protocol/client-messages';
import type * as store from './message-store';
import { SYNC } from './sync-store';
import {
	acceptedRetainMs,
	countTrimUpTo,
	MAX_ACCEPTED_IDS_PER_CLIENT,
	resolveRetention
} from './retention';
import { openDatabase } from './sqlite-schema';

export { StoreOpenError } from './sqlite-schema';

/** The file name under DATA_DIR. */
export const STORE_FILE = 'talkline.db';

/** The store's file in `dataDir`. */
export function storeFile(dataDir: string): string {
	return path.join(dataDir, STORE_FILE);
}

type Counter = { last_seq: number; acked_seq: number };
type ArrivalRow = { epoch: string; token_hash: string | null; last_seq: number };

/** Every statement, prepared once. */
function prepare(db: Database.Database) {
	return {
		counter: db.prepare('SELECT last_seq, acked_seq FROM clients WHERE client_id = ?'),
		nextSeq: db.prepare(
			`INSERT INTO clients (client_id, last_seq) VALUES (?, 1)
			 ON CONFLICT (client_id) DO UPDATE SET last_seq = last_seq + 1
			 RETURNING last_seq, acked_seq`
		),
		arrival: db.prepare('SELECT epoch, token_hash, last_seq FROM clients WHERE client_id = ?'),
		ensureClient: db.prepare(
			'INSERT INTO clients (client_id, last_seq) VALUES (?, 0) ON CONFLICT (client_id) DO NOTHING'
		),
		// Set-if-absent in one statement: a new row with this owner, or the owner of an unowned row.
		claim: db.prepare(
			`INSERT INTO clients (client_id, last_seq, token_hash) VALUES (?, 0, ?)
			 ON CONFLICT (client_id) DO UPDATE SET token_hash = excluded.token_hash
			 WHERE token_hash IS NULL
			 RETURNING epoch, token_hash, last_seq`
		),
		clientsWithOpenReplies: db
			.prepare('SELECT DISTINCT client_id FROM inputs WHERE answered = 0 AND reply_id IS NOT NULL')
			.pluck(),
		acknowledge: db.prepare(
			`UPDATE clients SET acked_seq = max(acked_seq, min(?, last_seq)) WHERE client_id = ?
			 RETURNING last_seq, acked_seq`
		),
		insertMessage: db.prepare(
			'INSERT INTO messages (client_id, seq, at, body) VALUES (?, ?, ?, ?)'
		),
		trimMessages: db.prepare('DELETE FROM messages WHERE client_id = ? AND seq <= ?'),
		replay: db
			.prepare('SELECT body FROM messages WHERE client_id = ? AND seq > ? ORDER BY seq LIMIT ?')
			.pluck(),
		insertInput: db.prepare(
			`INSERT INTO inputs (client_id, id, at, kind, text, answered) VALUES (?, ?, ?, ?, ?, ?)
			 ON CONFLICT (client_id, id) DO NOTHING`
		),
		countInputs: db.prepare('SELECT count(*) FROM inputs WHERE client_id = ?').pluck(),
		forgetOldestAnswered: db.prepare(
			`DELETE FROM inputs WHERE n IN
			 (SELECT n FROM inputs WHERE client_id = ? AND answered = 1 ORDER BY n LIMIT ?)`
		),
		startReply: db.prepare(
			`UPDATE inputs SET reply_id = ?
			 WHERE client_id = ? AND answered = 0 AND id = ? AND kind = 'chat'`
		),
		finishReply: db.prepare(
			'UPDATE inputs SET answered = 1, text = NULL WHERE client_id = ? AND answered = 0 AND reply_id = ?'
		),
		replyOf: db.prepare('SELECT answered, reply_id FROM inputs WHERE client_id = ? AND id = ?'),
		pending: db.prepare(
			`SELECT id, text FROM inputs WHERE client_id = ? AND answered = 0 AND kind = 'chat'
			 ORDER BY n`
		),
		openReplies: db
			.prepare(
				'SELECT reply_id FROM inputs WHERE client_id = ? AND answered = 0 AND reply_id IS NOT NULL ORDER BY n'
			)
			.pluck(),
		saveImage: db.prepare(
			`INSERT INTO images (client_id, at, mime, width, height, data) VALUES (?, ?, ?, ?, ?, ?)
			 ON CONFLICT (client_id) DO UPDATE SET at = excluded.at, mime = excluded.mime,
			 width = excluded.width, height = excluded.height, data = excluded.data`
		),
		image: db.prepare(
			'SELECT mime, width, height, data FROM images WHERE client_id = ? AND at >= ?'
		),
		sweepMessages: db.prepare('DELETE FROM messages WHERE at < ?'),
		sweepInputs: db.prepare('DELETE FROM inputs WHERE at < ?'),
		sweepImages: db.prepare('DELETE FROM images WHERE at < ?')
	};
}

export class SqliteStore implements store.SyncMessageStore {
	readonly [SYNC] = true;
	readonly file: string;
	readonly #db: Database.Database;
	readonly #sql: ReturnType<typeof prepare>;
	readonly #retention: store.RetentionOptions;
	readonly #accept: (batch: readonly store.AcceptRequest[]) => boolean[];
	readonly #append: (clientId: string, message: UnsequencedMessage) => SequencedMessage;
	readonly #start: (clientId: string, message: store.UnsequencedStart) => store.StartOutcome;
	readonly #acknowledge: (clientId: string, seq: number) => void;
	readonly #arrive: (batch: readonly store.ArrivalRequest[]) => store.ArrivalRecord[];
	readonly #recoverClient: (
		clientId: string,
		streaming: (replyId: string) => boolean
	) => store.RecoveredReply[];
	readonly #sweep: () => void;

	/** Opens (or creates) the store at `file`; throws a StoreOpenError if it cannot. */
	constructor(file: string, retention: Partial<store.RetentionOptions> = {}) {
		this.file = file;
		this.#retention = resolveRetention(retention);
		this.#db = openDatabase(file);
		this.#sql = prepare(this.#db);
		const tx = <A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R) =>
			this.#db.transaction(fn);
		this.#accept = tx((batch) =>
			batch.map(({ clientId, input }) => this.#acceptNow(clientId, input))
		);
		this.#append = tx((clientId, message) => this.#appendNow(clientId, message));
		this.#start = tx((clientId, message) => this.#startNow(clientId, message));
		this.#acknowledge = tx((clientId, seq) => this.#acknowledgeNow(clientId, seq));
		this.#arrive = tx((batch) => batch.map((request) => this.#arriveNow(request)));
		this.#recoverClient = tx((clientId, streaming) => this.#recoverClientNow(clientId, streaming));
		this.#sweep = tx(() => this.#sweepNow());
	}

	identity(clientId: string): store.ClientIdentity | undefined {
		const row = this.#sql.arrival.get(clientId) as ArrivalRow | undefined;
		return row && { epoch: row.epoch, tokenHash: row.token_hash };
	}

	arrive(batch: readonly store.ArrivalRequest[]): store.ArrivalRecord[] {
		// One transaction for a group of arrivals: a commit each cost more than all their reads.
		return batch.length === 0 ? [] : this.#arrive(batch);
	}

	acceptClientMessage(clientId: string, input: store.AcceptedInput): boolean {
		return this.acceptClientMessages([{ clientId, input }])[0] as boolean;
	}

	acceptClientMessages(batch: readonly store.AcceptRequest[]): boolean[] {
		if (batch.length === 0) return [];
		// The ack promises the client it may forget the message: this commit (and every one before
		// it in the log) reaches the disk before it returns, even across a power cut.
		this.#db.pragma('synchronous = FULL');
		try {
			return this.#accept(batch);
		} finally {
			this.#db.pragma('synchronous = NORMAL');
		}
	}

	appendServerMessage(clientId: string, message: UnsequencedMessage): SequencedMessage {
		return this.#append(clientId, message);
	}

	startReply(clientId: string, message: store.UnsequencedStart): store.StartOutcome {
		return this.#start(clientId, message);
	}

	replay(clientId: string, afterSeq: number, limit = Number.POSITIVE_INFINITY): SequencedMessage[] {
		const rows = this.#sql.replay.all(clientId, afterSeq, Number.isFinite(limit) ? limit : -1);
		return rows.map((body) => JSON.parse(body as string) as SequencedMessage);
	}

	acknowledge(clientId: string, seq: number): void {
		this.#acknowledge(clientId, seq);
	}

	ackedSeq(clientId: string): number {
		return (this.#sql.counter.get(clientId) as Counter | undefined)?.acked_seq ?? 0;
	}

	lastSeq(clientId: string): number {
		return (this.#sql.counter.get(clientId) as Counter | undefined)?.last_seq ?? 0;
	}

	pendingChats(clientId: string): store.PendingChat[] {
		return this.#sql.pending.all(clientId) as store.PendingChat[];
	}

	latestImage(clientId: string): ImageInput | undefined {
		const cutoff = this.#retention.now() - this.#retention.retainMs;
		return this.#sql.image.get(clientId, cutoff) as ImageInput | undefined;
	}

	recover(streaming: (replyId: string) => boolean = () => false): store.RecoveryReport {
		const report: store.RecoveryReport = { recovered: [], failed: [] };
		// One transaction per client id: a fault in one client's data leaves the others recovered.
		for (const clientId of this.#sql.clientsWithOpenReplies.all() as string[]) {
			try {
				report.recovered.push(...this.#recoverClient(clientId, streaming));
			} catch (error) {
				report.failed.push({ clientId, error });
			}
		}
		return report;
	}

	sweep(): void {
		this.#sweep();
	}

	close(): void {
		if (this.#db.open) this.#db.close();
	}

	#acceptNow(clientId: string, input: store.AcceptedInput): boolean {
		const at = this.#retention.now();
		const chat = input.kind === 'chat';
		const { changes } = this.#sql.insertInput.run(
			clientId,
			input.id,
			at,
			input.kind,
			chat ? input.text : null,
			chat ? 0 : 1
		);
		if (changes === 0) return false;
		// The log's row, if it has none yet: `arrive` tells a new log by its missing row.
		this.#sql.ensureClient.run(clientId);
		if (input.kind === 'frame') {
			const { mime, width, height, data } = input.image;
			this.#sql.saveImage.run(clientId, at, mime, width, height, data);
		}
		const excess = Number(this.#sql.countInputs.get(clientId)) - MAX_ACCEPTED_IDS_PER_CLIENT;
		if (excess > 0) this.#sql.forgetOldestAnswered.run(clientId, excess);
		return true;
	}

	#appendNow(clientId: string, message: UnsequencedMessage): SequencedMessage {
		const counter = this.#sql.nextSeq.get(clientId) as Counter;
		const stored = { ...message, seq: counter.last_seq } as SequencedMessage;
		this.#sql.insertMessage.run(
			clientId,
			stored.seq,
			this.#retention.now(),
			JSON.stringify(stored)
		);
		if (message.type === 'reply.start') {
			this.#sql.startReply.run(message.replyId, clientId, message.inReplyTo);
		} else if (message.type === 'reply.end' || message.type === 'reply.interrupted') {
			this.#sql.finishReply.run(clientId, message.replyId);
		}
		this.#trimCount(clientId, counter);
		return stored;
	}

	#startNow(clientId: string, message: store.UnsequencedStart): store.StartOutcome {
		const row = this.#sql.replyOf.get(clientId, message.inReplyTo) as
			{ answered: number; reply_id: string | null } | undefined;
		if (row && (row.answered === 1 || row.reply_id !== null)) return { refused: 'answered' };
		return { started: this.#appendNow(clientId, message) };
	}

	#acknowledgeNow(clientId: string, seq: number): void {
		const counter = this.#sql.acknowledge.get(seq, clientId) as Counter | undefined;
		if (counter) this.#trimCount(clientId, counter);
	}

	#arriveNow({ clientId, tokenHash }: store.ArrivalRequest): store.ArrivalRecord {
		let row = this.#sql.arrival.get(clientId) as ArrivalRow | undefined;
		// Every write of an id makes its row (the schema's migration made the rows of ids that had
		// only inputs), and rows are never deleted: no row, nothing stored.
		const created = row === undefined;
		let claimed = false;
		if (row?.token_hash == null) {
			// The claimed row comes back from the claim itself: no second read.
			const claimedRow = this.#sql.claim.get(clientId, tokenHash) as ArrivalRow | undefined;
			claimed = claimedRow !== undefined;
			row = claimedRow ?? (this.#sql.arrival.get(clientId) as ArrivalRow);
		}
		const identity = { epoch: row.epoch, tokenHash: row.token_hash };
		return { claimed, identity, lastSeq: row.last_seq, created };
	}

	#recoverClientNow(
		clientId: string,
		streaming: (replyId: string) => boolean
	): store.RecoveredReply[] {
		const open = this.#sql.openReplies.all(clientId) as string[];
		return open
			.filter((replyId) => !streaming(replyId))
			.map((replyId) => {
				const { seq } = this.#appendNow(clientId, { type: 'reply.interrupted', replyId });
				return { clientId, replyId, seq };
			});
	}

	#sweepNow(): void {
		const now = this.#retention.now();
		const messageCutoff = now - this.#retention.retainMs;
		this.#sql.sweepMessages.run(messageCutoff);
		this.#sql.sweepImages.run(messageCutoff);
		this.#sql.sweepInputs.run(now - acceptedRetainMs(this.#retention.retainMs));
	}

	#trimCount(clientId: string, counter: Counter): void {
		const upTo = countTrimUpTo(counter.last_seq, counter.acked_seq, this.#retention.retainMessages);
		if (upTo > 0) this.#sql.trimMessages.run(clientId, upTo);
	}
}
