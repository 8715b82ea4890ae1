/**
 * A synchronous store (SqliteStore, MemoryStore) seen through the asynchronous MessageStore
 * interface. Each call still runs at once, inside the call; only its result waits for a microtask,
 * so calls keep their order. Methods are looked up at each call (tests may replace one).
 */
import type { MessageStore, SyncMessageStore } from './message-store';

/** Every call of the interface (a Record, so that the compiler notices a new one). */
const METHODS: Record<keyof SyncMessageStore, true> = {
	identity: true,
	arrive: true,
	acceptClientMessage: true,
	acceptClientMessages: true,
	appendServerMessage: true,
	startReply: true,
	replay: true,
	acknowledge: true,
	ackedSeq: true,
	lastSeq: true,
	pendingChats: true,
	latestImage: true,
	recover: true,
	sweep: true,
	close: true
};

/** The asynchronous face of `store`; a failing call rejects instead of throwing. */
export function asyncStore(store: SyncMessageStore): MessageStore {
	const wrapped: Record<string, unknown> = {};
	for (const name of Object.keys(METHODS) as (keyof SyncMessageStore)[]) {
		wrapped[name] = (...args: unknown[]) => {
			try {
				return Promise.resolve((store[name] as (...a: unknown[]) => unknown)(...args));
			} catch (error) {
				return Promise.reject(error);
			}
		};
	}
	return wrapped as MessageStore;
}

/** Whether `store` is a synchronous one (its calls return plain values). */
export function isSyncStore(store: MessageStore | SyncMessageStore): store is SyncMessageStore {
	return store instanceof Object && SYNC in store;
}

/** Marks the synchronous store classes, so that the server can wrap what tests hand it. */
export const SYNC = Symbol.for('talkline.syncStore');
