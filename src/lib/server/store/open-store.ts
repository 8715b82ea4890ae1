/**
 * The message store chosen by configuration: Redis when REDIS_URL is set (several instances can
 * share it), else STORE (sqlite under DATA_DIR, or memory); RETAIN_MESSAGES, RETAIN_HOURS.
 */
import type { ConversationHistory } from '../brain/history';
import type { ServerConfig } from '../config';
import { localFanout, type Fanout } from '../fanout';
import type { Logger } from '../log';
import { MemoryStore } from './memory-store';
import type { MessageStore } from './message-store';
import { openRedisBackend } from './redis-backend';
import { SqliteStore, storeFile } from './sqlite-store';
import { asyncStore } from './sync-store';

const HOUR_MS = 3_600_000;

/** A store, how instances sharing it talk, and whether it can be reached now. */
export interface StoreBackend {
	store: MessageStore;
	fanout: Fanout;
	/** Why the store cannot be used now (for /healthz), or undefined when it can. */
	unavailable(): string | undefined;
	/** Where the OpenAI brain keeps its turns, when not in memory (shared by instances). */
	history?: ConversationHistory;
}

/** Opens the configured store; a SQLite file that cannot be used throws a StoreOpenError. */
export function openStore(config: ServerConfig, log: Logger): StoreBackend {
	const retention = {
		retainMessages: config.retainMessages,
		retainMs: config.retainHours * HOUR_MS
	};
	if (config.store === 'redis') return openRedisBackend(config, retention, log);
	const store =
		config.store === 'memory'
			? new MemoryStore(retention)
			: new SqliteStore(storeFile(config.dataDir), retention);
	return { store: asyncStore(store), fanout: localFanout, unavailable: () => undefined };
}
