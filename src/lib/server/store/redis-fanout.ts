/**
 * Fan-out between instances on Redis pub/sub (one dedicated subscriber connection): an instance
 * that holds a client's socket subscribes to the client id's feed channel, where the store
 * publishes every message it stores for that id (in the same script), and where a new holder
 * announces itself so that an older connection on another instance closes with "replaced".
 *
 * When it takes a client, the holder also closes the replies that a dead instance (lease
 * expired) left open, then lets the server answer the pending chats; while replies of live
 * instances stay open it looks again every lease period, so a chat whose instance dies later is
 * still answered (once: the store claims each answer atomically).
 */
import type { RedisClientType } from 'redis';
import type { SequencedMessage } from '../../protocol/server-messages';
import type { Fanout, HeldClient } from '../fanout';
import type { Logger } from '../log';
import { clientKeys } from './redis-keys';
import { ANNOUNCE } from './redis-scripts';
import type { RedisConnection } from './redis-connection';
import type { RedisStore } from './redis-store';

/** What a holder announces on the feed (stored messages are published as they are). */
interface HeldAnnouncement {
	type: 'held';
	sessionId: string;
	/** Orders announcements (ANNOUNCE): only a later one replaces a connection. */
	generation: number;
}

interface Holding {
	channel: string;
	client: HeldClient;
	/** The session that holds the client here now, and its generation once announced. */
	session: string;
	generation?: number;
	/** The latest announcement heard from another session. */
	latest?: HeldAnnouncement;
	recheck?: ReturnType<typeof setTimeout>;
}

export interface RedisFanoutOptions {
	connection: RedisConnection;
	store: RedisStore;
	prefix: string;
	/** How often to look again at replies of live instances (the lease period). */
	recheckMs: number;
	log: Logger;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class RedisFanout implements Fanout {
	readonly #options: RedisFanoutOptions;
	/** The feed connection, made once node-redis is loaded (./redis-connection). */
	readonly #subscriber: Promise<RedisClientType>;
	#subscriberNow: RedisClientType | undefined;
	readonly #holding = new Map<string, Holding>();
	#closed = false;

	constructor(options: RedisFanoutOptions) {
		this.#options = options;
		this.#subscriber = options.connection
			.duplicate({ disableOfflineQueue: false })
			.then((subscriber) => {
				this.#subscriberNow = subscriber;
				subscriber.on('error', () => {}); // the command connection reports reachability
				if (!this.#closed)
					subscriber
						.connect()
						.catch((error: unknown) =>
							options.log.warn(
								{ event: 'redis.subscriber-failed', err: error },
								'no Redis feed yet'
							)
						);
				return subscriber;
			});
		this.#subscriber.catch(() => undefined); // node-redis did not load: the store says so
	}

	async hold(clientId: string, sessionId: string, client: HeldClient): Promise<void> {
		const { prefix, connection, log, recheckMs } = this.#options;
		const keys = clientKeys(prefix, clientId);
		const known = this.#holding.get(clientId);
		if (known) {
			Object.assign(known, { client, session: sessionId, generation: undefined });
		} else {
			this.#holding.set(clientId, { channel: keys.feed, client, session: sessionId });
			// Queued while Redis is away, and subscribed again by node-redis after a reconnect; the
			// session reads the store on any gap, so waiting longer than a lease period is not needed.
			const subscribed = this.#subscriber.then((subscriber) =>
				subscriber.subscribe(keys.feed, (raw) => this.#heard(clientId, raw))
			);
			await Promise.race([subscribed.catch(() => undefined), delay(recheckMs)]);
		}
		// Not announced (Redis away): generation 0, so any announcement heard replaces it.
		const generation = await connection
			.script(ANNOUNCE, [keys.holder, keys.feed], [sessionId])
			.then(Number)
			.catch((error: unknown) => {
				log.warn({ event: 'redis.announce-failed', clientId, err: error }, 'holder not announced');
				return 0;
			});
		const holding = this.#holding.get(clientId);
		if (holding?.session === sessionId) {
			holding.generation = generation;
			// A later connection announced itself while ours was on its way.
			if (holding.latest && holding.latest.generation > generation)
				holding.client.replaced(holding.latest.sessionId);
		}
		await this.#takeOver(clientId);
	}

	release(clientId: string): void {
		const holding = this.#holding.get(clientId);
		if (!holding) return;
		this.#holding.delete(clientId);
		clearTimeout(holding.recheck);
		const subscriber = this.#subscriberNow;
		if (subscriber?.isReady) void subscriber.unsubscribe(holding.channel).catch(() => {});
	}

	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		for (const clientId of [...this.#holding.keys()]) this.release(clientId);
		const subscriber = this.#subscriberNow;
		if (subscriber?.isOpen) await subscriber.close().catch(() => subscriber.destroy());
	}

	/** A message on a held client's feed: a stored message, or another holder's announcement. */
	#heard(clientId: string, raw: string): void {
		const holding = this.#holding.get(clientId);
		if (!holding) return;
		let message: SequencedMessage | HeldAnnouncement;
		try {
			message = JSON.parse(raw) as SequencedMessage | HeldAnnouncement;
		} catch {
			return;
		}
		if (message.type === 'held') return this.#heardHolder(holding, message);
		holding.client.stored(message);
	}

	/**
	 * Another connection holds the client: ours closes only if that one is later (announcements
	 * of two instances may arrive in either order; our own is ignored).
	 */
	#heardHolder(holding: Holding, announcement: HeldAnnouncement): void {
		if (announcement.sessionId === holding.session) return;
		if (!holding.latest || announcement.generation > holding.latest.generation)
			holding.latest = announcement;
		if (holding.generation !== undefined && announcement.generation > holding.generation)
			holding.client.replaced(announcement.sessionId);
	}

	/** Closes what dead instances left open, answers what waits, and looks again while needed. */
	async #takeOver(clientId: string): Promise<void> {
		const holding = this.#holding.get(clientId);
		if (!holding || this.#closed) return;
		clearTimeout(holding.recheck);
		holding.recheck = undefined;
		const { store, log, recheckMs } = this.#options;
		let othersOpen = true; // unknown: look again later
		try {
			const recovery = await store.recoverClient(clientId);
			othersOpen = recovery.othersOpen;
			for (const { replyId, seq } of recovery.closed)
				log.warn(
					{ event: 'reply.recovered', clientId, replyId, seq },
					'reply left open by an instance that died marked interrupted'
				);
		} catch (error) {
			log.warn({ event: 'takeover.failed', clientId, err: error }, 'open replies not checked');
		}
		holding.client.resumePending();
		if (othersOpen && this.#holding.get(clientId) === holding) {
			holding.recheck = setTimeout(() => {
				this.#takeOver(clientId).catch((error: unknown) =>
					log.warn({ event: 'takeover.failed', clientId, err: error }, 'take-over check failed')
				);
			}, recheckMs);
			holding.recheck.unref();
		}
	}
}
