/**
 * The client's outbox (protocol.md, delivery rules): every `chat` and `frame` is kept, with its
 * delivery state, in the browser's storage per client id until the server's `ack`, and sent
 * again in order after each reconnect. A page reload, even offline, loses nothing.
 *
 * - pending: not yet written to a socket; sent: written, no `ack` yet; acked: the server has
 *   stored it and will answer it once. An acked chat stays until its answer starts (so the
 *   page can show it in place), then is removed.
 * - Bounded: at most `maxEntries` messages and `maxAgeMs` of age. What has to go unacknowledged
 *   is returned as dropped, for the page to say so; nothing is dropped silently.
 * - Frames are context for the next answer, so only the newest unacknowledged one is kept: a
 *   newer still replaces an older one (by design, so not reported as dropped).
 *
 * It is the one owner of a queued message's delivery state: the entries are reactive (runes), and
 * the transcript reads each user message's mark from here while the message is queued.
 */
import * as v from 'valibot';
import { chatSchema, frameSchema, type Chat, type Frame } from '$lib/protocol/client-messages';

export type OutboxState = 'pending' | 'sent' | 'acked';
export type OutboxMessage = Chat | Frame;

export interface OutboxEntry {
	id: string;
	message: OutboxMessage;
	state: OutboxState;
	/** When it was first queued (ms since the epoch). */
	createdAt: number;
}

export interface OutboxOptions {
	clientId: string;
	/** `localStorage` in the browser; null keeps the outbox in memory only. */
	storage: Storage | null;
	now?: () => number;
	maxEntries?: number;
	maxAgeMs?: number;
	/** Called after every change of the entries (each save). */
	onChange?: (entries: readonly OutboxEntry[]) => void;
}

/** What an add or an expiry took out of the outbox unacknowledged. */
export interface OutboxChange {
	dropped: OutboxEntry[];
}

export const OUTBOX_MAX_ENTRIES = 100;
export const OUTBOX_MAX_AGE_MS = 24 * 60 * 60 * 1000;

const entrySchema = v.object({
	id: v.string(),
	message: v.variant('type', [chatSchema, frameSchema]),
	state: v.picklist(['pending', 'sent', 'acked']),
	createdAt: v.number()
});
const storedSchema = v.object({ version: v.literal(1), entries: v.array(entrySchema) });

/** A fresh idempotency key for a chat or frame. */
export function makeMessageId(): string {
	return typeof crypto !== 'undefined' && 'randomUUID' in crypto
		? crypto.randomUUID()
		: `m-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** Where the outbox of a client id is kept. */
const outboxKey = (clientId: string) => `talkline.outbox.${clientId}`;

export class Outbox {
	/** Moves the stored outbox of one client id to another (its unsent messages go with the page). */
	static move(storage: Storage, from: string, to: string): void {
		const stored = storage.getItem(outboxKey(from));
		if (stored === null) return;
		storage.setItem(outboxKey(to), stored);
		storage.removeItem(outboxKey(from));
	}

	readonly #key: string;
	readonly #storage: Storage | null;
	readonly #now: () => number;
	readonly #maxEntries: number;
	readonly #maxAgeMs: number;
	readonly #onChange: OutboxOptions['onChange'];
	#entries = $state<OutboxEntry[]>([]);
	/** Whether the last save failed (storage full or blocked): the outbox then lives in memory. */
	saveFailed = false;

	constructor(options: OutboxOptions) {
		this.#key = outboxKey(options.clientId);
		this.#storage = options.storage;
		this.#now = options.now ?? Date.now;
		this.#maxEntries = options.maxEntries ?? OUTBOX_MAX_ENTRIES;
		this.#maxAgeMs = options.maxAgeMs ?? OUTBOX_MAX_AGE_MS;
		this.#onChange = options.onChange;
		this.#entries = this.#load();
	}

	/** Every entry, oldest first. */
	get entries(): readonly OutboxEntry[] {
		return this.#entries;
	}

	/** The bounds, as the page tells them: `at most 100 messages for 24 hours`. */
	get limits(): string {
		const hours = Math.round(this.#maxAgeMs / 3_600_000);
		return `at most ${this.#maxEntries} messages for ${hours} hours`;
	}

	/** The delivery state of the entry with this id; undefined when it is not (or no longer) here. */
	stateOf(id: string): OutboxState | undefined {
		return this.#entries.find((entry) => entry.id === id)?.state;
	}

	/** The entries the server has not acknowledged, oldest first: what a reconnect sends again. */
	unacknowledged(): OutboxEntry[] {
		return this.#entries.filter((entry) => entry.state !== 'acked');
	}

	/**
	 * Queues a message as pending. A frame supersedes older unacknowledged frames. When the
	 * outbox is full, the oldest entries make room: acknowledged ones first, then the oldest
	 * unacknowledged, which are returned as dropped.
	 */
	add(message: OutboxMessage): OutboxChange & { entry: OutboxEntry } {
		const dropped = this.#expire();
		if (message.type === 'frame') {
			this.#entries = this.#entries.filter(
				(entry) => entry.message.type !== 'frame' || entry.state === 'acked'
			);
		}
		const entry: OutboxEntry = {
			id: message.id,
			message,
			state: 'pending',
			createdAt: this.#now()
		};
		this.#entries.push(entry);
		while (this.#entries.length > this.#maxEntries) {
			const acked = this.#entries.findIndex((e) => e.state === 'acked');
			const [removed] = this.#entries.splice(acked >= 0 ? acked : 0, 1);
			if (removed && removed.state !== 'acked') dropped.push(removed);
		}
		this.#save();
		return { entry, dropped };
	}

	/** Written to an open socket. */
	markSent(id: string): void {
		this.#update(id, (entry) => entry.state === 'pending' && (entry.state = 'sent'));
	}

	/** The server's `ack`: stored on the server, answered once. Frames need nothing more. */
	markAcked(id: string): OutboxEntry | undefined {
		const entry = this.#entries.find((e) => e.id === id);
		if (!entry) return undefined;
		if (entry.message.type === 'frame') this.remove(id);
		else this.#update(id, (e) => (e.state = 'acked'));
		return entry;
	}

	/** The server could not take this message (its error, not the message's): send it again. */
	requeue(id: string): void {
		this.#update(id, (entry) => entry.state === 'sent' && (entry.state = 'pending'));
	}

	/** A socket closed: what was sent and not acked is pending again, to go out on the next one. */
	requeueSent(): void {
		let changed = false;
		for (const entry of this.#entries) {
			if (entry.state === 'sent') {
				entry.state = 'pending';
				changed = true;
			}
		}
		if (changed) this.#save();
	}

	/** The answer to this message has started (or it is otherwise settled): forget it. */
	remove(id: string): void {
		const before = this.#entries.length;
		this.#entries = this.#entries.filter((entry) => entry.id !== id);
		if (this.#entries.length !== before) this.#save();
	}

	/** Drops entries older than the age limit; returns the unacknowledged ones among them. */
	expire(): OutboxChange {
		const dropped = this.#expire();
		if (dropped.length) this.#save();
		return { dropped };
	}

	#expire(): OutboxEntry[] {
		const oldest = this.#now() - this.#maxAgeMs;
		const dropped: OutboxEntry[] = [];
		this.#entries = this.#entries.filter((entry) => {
			if (entry.createdAt >= oldest) return true;
			if (entry.state !== 'acked') dropped.push(entry);
			return false;
		});
		return dropped;
	}

	#update(id: string, change: (entry: OutboxEntry) => unknown): void {
		const entry = this.#entries.find((e) => e.id === id);
		if (entry && change(entry) !== false) this.#save();
	}

	#load(): OutboxEntry[] {
		let raw: string | null = null;
		try {
			raw = this.#storage?.getItem(this.#key) ?? null;
		} catch {
			return [];
		}
		if (!raw) return [];
		try {
			const parsed = v.safeParse(storedSchema, JSON.parse(raw));
			if (parsed.success) return parsed.output.entries;
		} catch {
			// Not JSON: fall through.
		}
		console.warn('Talkline: the saved outbox was unreadable and has been reset.');
		return [];
	}

	#save(): void {
		this.#onChange?.($state.snapshot(this.#entries));
		if (!this.#storage) return;
		const data = { version: 1, entries: this.#entries };
		try {
			this.#storage.setItem(this.#key, JSON.stringify(data));
			this.saveFailed = false;
		} catch {
			// Storage full (a large still) or blocked: keep the chats at least; the rest stays in memory.
			try {
				const chatsOnly = this.#entries.filter((entry) => entry.message.type === 'chat');
				this.#storage.setItem(this.#key, JSON.stringify({ version: 1, entries: chatsOnly }));
			} catch {
				// Nothing can be saved; the outbox still works for this page.
			}
			this.saveFailed = true;
		}
	}
}
