/**
 * Opening the SQLite file: its folder, WAL mode, the schema (versioned with `PRAGMA
 * user_version`) and a quick integrity check. Every way this can fail becomes one StoreOpenError
 * whose message says which file and what to do, for a clear startup error instead of a stack.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** The schema this code writes; a file with a higher version was made by newer code. */
export const SCHEMA_VERSION = 2;

/**
 * Version 1:
 * - clients: the `seq` counter and the acknowledged `seq` of each client id.
 * - messages: the log of sequenced server messages (`body` is the message as JSON, with seq).
 * - inputs: accepted client message ids, in order (`n`); a chat keeps its `text` until answered,
 *   `reply_id` is the reply that started for it.
 * - images: the latest camera still per client id.
 */
const SCHEMA_V1 = `
CREATE TABLE clients (
	client_id TEXT PRIMARY KEY,
	last_seq INTEGER NOT NULL,
	acked_seq INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE messages (
	client_id TEXT NOT NULL,
	seq INTEGER NOT NULL,
	at INTEGER NOT NULL,
	body TEXT NOT NULL,
	PRIMARY KEY (client_id, seq)
) WITHOUT ROWID;
CREATE INDEX messages_by_age ON messages (at);
CREATE TABLE inputs (
	n INTEGER PRIMARY KEY,
	client_id TEXT NOT NULL,
	id TEXT NOT NULL,
	at INTEGER NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('chat', 'frame')),
	text TEXT,
	reply_id TEXT,
	answered INTEGER NOT NULL,
	UNIQUE (client_id, id)
);
CREATE INDEX inputs_open ON inputs (client_id, answered, n);
CREATE INDEX inputs_by_age ON inputs (at);
CREATE TABLE images (
	client_id TEXT PRIMARY KEY,
	at INTEGER NOT NULL,
	mime TEXT NOT NULL,
	width INTEGER NOT NULL,
	height INTEGER NOT NULL,
	data TEXT NOT NULL
);
`;

/**
 * Version 2, ownership and epochs (protocol.md): each client's row gets its log's `epoch` (random,
 * made with the row) and the SHA-256 `token_hash` of its owner's token. Logs from version 1 get a
 * new epoch each and no owner: the next connection for such an id claims it. Ids that had only
 * accepted messages or a still get a row too, so that they count as known.
 */
const SCHEMA_V2 = `
CREATE TABLE clients_v2 (
	client_id TEXT PRIMARY KEY,
	last_seq INTEGER NOT NULL,
	acked_seq INTEGER NOT NULL DEFAULT 0,
	epoch TEXT NOT NULL DEFAULT (lower(hex(randomblob(16)))),
	token_hash TEXT
) WITHOUT ROWID;
INSERT INTO clients_v2 (client_id, last_seq, acked_seq)
	SELECT client_id, last_seq, acked_seq FROM clients;
INSERT OR IGNORE INTO clients_v2 (client_id, last_seq)
	SELECT client_id, 0 FROM inputs UNION SELECT client_id, 0 FROM images;
DROP TABLE clients;
ALTER TABLE clients_v2 RENAME TO clients;
`;

/** The schema steps, in order: step i takes a file from version i to version i + 1. */
export const SCHEMA_MIGRATIONS = [SCHEMA_V1, SCHEMA_V2];

/** The store's file cannot be used; the message says which and what to do. */
export class StoreOpenError extends Error {
	constructor(
		readonly file: string,
		reason: string,
		options?: { cause?: unknown }
	) {
		super(
			`Cannot open the message store ${file}: ${reason}. ` +
				'Move the file away (a new, empty store is created in its place) or set DATA_DIR to ' +
				'another folder, then start again.',
			options
		);
		this.name = 'StoreOpenError';
	}
}

/** Opens (creating if needed) the database at `file`, ready for use. */
export function openDatabase(file: string): Database.Database {
	let db: Database.Database | undefined;
	try {
		mkdirSync(path.dirname(file), { recursive: true });
		db = new Database(file);
		// WAL + NORMAL: every commit survives the process dying (kill -9); the store raises it to
		// FULL for the commits behind acks (SqliteStore.acceptClientMessages, one per turn of the
		// event loop), which must also survive the machine losing power. Streamed reply pieces are
		// not worth an fsync each.
		db.pragma('journal_mode = WAL');
		db.pragma('synchronous = NORMAL');
		const check = db.pragma('quick_check', { simple: true });
		if (check !== 'ok') throw new Error(`the integrity check failed (${String(check)})`);
		migrate(db, file);
		return db;
	} catch (error) {
		db?.close();
		if (error instanceof StoreOpenError) throw error;
		throw new StoreOpenError(file, reasonOf(error), { cause: error });
	}
}

function migrate(db: Database.Database, file: string): void {
	const version = Number(db.pragma('user_version', { simple: true }));
	if (version > SCHEMA_VERSION)
		throw new StoreOpenError(
			file,
			`its schema version ${version} is newer than this server's (${SCHEMA_VERSION})`
		);
	if (version === SCHEMA_VERSION) return;
	db.transaction(() => {
		for (const step of SCHEMA_MIGRATIONS.slice(version)) db.exec(step);
		db.pragma(`user_version = ${SCHEMA_VERSION}`);
	})();
}

function reasonOf(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	const code = (error as { code?: unknown }).code;
	return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}
