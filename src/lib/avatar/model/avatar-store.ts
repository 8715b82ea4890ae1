/**
 * Keeps the chosen avatar file in the browser (IndexedDB), so it comes back on reload. One record;
 * every failure (no IndexedDB, private mode, quota) is reported to the caller, never thrown past it.
 */

const DB_NAME = 'talkline-avatar';
const STORE = 'choice';
const KEY = 'current';

/** The avatar file a person chose. */
export interface StoredAvatar {
	name: string;
	file: Blob;
}

function open(): Promise<IDBDatabase> {
	return new Promise((resolve, reject) => {
		if (typeof indexedDB === 'undefined') return reject(new Error('IndexedDB is not available'));
		const request = indexedDB.open(DB_NAME, 1);
		request.onupgradeneeded = () => request.result.createObjectStore(STORE);
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
		request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
	});
}

async function run<T>(
	mode: IDBTransactionMode,
	act: (store: IDBObjectStore) => IDBRequest<T>
): Promise<T> {
	const db = await open();
	try {
		return await new Promise<T>((resolve, reject) => {
			const transaction = db.transaction(STORE, mode);
			const request = act(transaction.objectStore(STORE));
			transaction.oncomplete = () => resolve(request.result);
			transaction.onerror = () => reject(transaction.error ?? request.error);
			transaction.onabort = () =>
				reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
		});
	} finally {
		db.close();
	}
}

/** The stored avatar, or null when there is none (or it cannot be read). */
export async function readStoredAvatar(): Promise<StoredAvatar | null> {
	try {
		const value: unknown = await run('readonly', (store) => store.get(KEY));
		const record = value as Partial<StoredAvatar> | undefined;
		return record && typeof record.name === 'string' && record.file instanceof Blob
			? { name: record.name, file: record.file }
			: null;
	} catch {
		return null;
	}
}

/** Stores `avatar` in place of any earlier one; false when the browser would not keep it. */
export async function storeAvatar(avatar: StoredAvatar): Promise<boolean> {
	try {
		await run('readwrite', (store) => store.put(avatar, KEY));
		return true;
	} catch {
		return false;
	}
}

/** Forgets the stored avatar (the built-in head comes back on reload). */
export async function forgetStoredAvatar(): Promise<void> {
	try {
		await run('readwrite', (store) => store.delete(KEY));
	} catch {
		// Nothing stored or no IndexedDB: nothing to forget.
	}
}
