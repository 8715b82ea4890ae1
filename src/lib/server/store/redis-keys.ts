/**
 * Where RedisStore keeps things. Every key of one client id carries the id in a hash tag
 * (`{clientId}`), so they all live in one Redis Cluster slot and one Lua script may touch them
 * together; instance leases are per instance and touched only by single commands.
 */

/** The keys of one client id, under `prefix` (REDIS_PREFIX). */
export function clientKeys(prefix: string, clientId: string) {
	const base = `${prefix}{${clientId}}:`;
	return {
		/** HASH: epoch, token (SHA-256 of the owner's token), last (seq), acked (seq), n (chats). */
		meta: `${base}meta`,
		/** STREAM, entry id `<seq>-0`, fields `at` (ms) and `m` (the message's JSON, with its seq). */
		log: `${base}log`,
		/** ZSET: accepted client message ids (chats and stills), scored by when (ms). */
		ids: `${base}ids`,
		/** ZSET: chats not answered yet, scored by acceptance order. */
		pending: `${base}pending`,
		/** HASH: a pending chat's id → its text. */
		chats: `${base}chats`,
		/** HASH: a pending chat's id → the id of the reply that started for it. */
		started: `${base}started`,
		/** HASH: an open reply's id → `<chat id>\n<instance id>` (who is generating it). */
		open: `${base}open`,
		/** STRING: JSON `{at, image}` of the latest camera still. */
		image: `${base}image`,
		/** LIST: the OpenAI brain's conversation turns (JSON), the last LLM_MAX_HISTORY. */
		history: `${base}history`,
		/**
		 * STRING: a counter of the connections that held this client id (INCR per `held`), which
		 * orders the announcements; kept like the log's counters, a few bytes.
		 */
		holder: `${base}holder`,
		/** Pub/sub channel: every stored message (JSON), and `held` announcements. */
		feed: `${base}feed`
	};
}

export type ClientKeys = ReturnType<typeof clientKeys>;

/** The lease of an instance: exists while the instance is alive (REDIS_LEASE_MS, renewed). */
export function leaseKey(prefix: string, instanceId: string): string {
	return `${prefix}lease:${instanceId}`;
}

/** SCAN pattern for every client id's key of one kind, and the client id in such a key. */
export function clientPattern(prefix: string, kind: keyof ClientKeys): string {
	return `${escapeGlob(prefix)}{*}:${kind}`;
}

export function clientIdOf(prefix: string, key: string): string | undefined {
	if (!key.startsWith(`${prefix}{`)) return undefined;
	const end = key.lastIndexOf('}:');
	return end < 0 ? undefined : key.slice(prefix.length + 1, end);
}

function escapeGlob(text: string): string {
	return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
