/** The message store chosen by configuration (STORE, DATA_DIR, RETAIN_MESSAGES, RETAIN_HOURS). */
import type { ServerConfig } from '../config';
import { MemoryStore } from './memory-store';
import type { MessageStore } from './message-store';
import { SqliteStore, storeFile } from './sqlite-store';

const HOUR_MS = 3_600_000;

/** Opens the configured store; a SQLite file that cannot be used throws a StoreOpenError. */
export function openStore(config: ServerConfig): MessageStore {
	const retention = {
		retainMessages: config.retainMessages,
		retainMs: config.retainHours * HOUR_MS
	};
	if (config.store === 'memory') return new MemoryStore(retention);
	return new SqliteStore(storeFile(config.dataDir), retention);
}
