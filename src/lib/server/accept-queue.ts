/**
 * Group commit for client messages. Every chat and still that arrives in one turn of the event
 * loop is stored in one durable transaction (one fsync), then each is settled in arrival order:
 * acked, and acted on if it is new. With an fsync per message, 500 chats arriving together held
 * the loop for about half a second and every streaming reply stalled behind them
 * (`npm run bench -- --only chat`); batched, the cost is one fsync per turn.
 *
 * Nothing is acked before its commit, so the ack still means "stored, also across a power cut".
 */
import { metrics } from './metrics';
import type { AcceptRequest, MessageStore } from './store/message-store';

/** How one accepted message turned out: stored (new or seen before), or the commit failed. */
export type AcceptOutcome = { ok: true; isNew: boolean } | { ok: false; error: unknown };

interface Waiting extends AcceptRequest {
	settle: (outcome: AcceptOutcome) => void;
}

export class AcceptQueue {
	readonly #store: MessageStore;
	/** A settle callback threw (a bug): reported here, and the rest of the batch still settles. */
	readonly #onFault: (error: unknown) => void;
	#waiting: Waiting[] = [];
	#scheduled = false;
	/** The commit in progress: the next one waits for it, so batches settle in order. */
	#committing: Promise<void> = Promise.resolve();

	constructor(store: MessageStore, onFault: (error: unknown) => void) {
		this.#store = store;
		this.#onFault = onFault;
	}

	/** Queues a message for the commit at the end of this turn; `settle` is called after it. */
	add(request: AcceptRequest, settle: (outcome: AcceptOutcome) => void): void {
		this.#waiting.push({ ...request, settle });
		if (this.#scheduled) return;
		this.#scheduled = true;
		// setImmediate runs after the poll phase, so every socket read in this turn is in the batch.
		setImmediate(() => void this.flush());
	}

	/**
	 * Commits and settles everything waiting now, after the commit before it (also called on
	 * shutdown, before the store closes); resolves once all of it has settled.
	 */
	flush(): Promise<void> {
		this.#scheduled = false;
		const batch = this.#waiting;
		this.#waiting = [];
		// A fault never breaks the chain: the next batches still commit.
		this.#committing = this.#committing.then(() => this.#commit(batch)).catch(this.#onFault);
		return this.#committing;
	}

	async #commit(batch: Waiting[]): Promise<void> {
		if (batch.length === 0) return;
		let outcomes: AcceptOutcome[];
		const commit = metrics.storeCommitSeconds.startTimer({ op: 'accept' });
		try {
			const isNew = await this.#store.acceptClientMessages(batch);
			outcomes = isNew.map((fresh) => ({ ok: true as const, isNew: fresh }));
		} catch (error) {
			outcomes = batch.map(() => ({ ok: false as const, error }));
		}
		commit();
		batch.forEach((waiting, index) => {
			try {
				waiting.settle(outcomes[index] as AcceptOutcome);
			} catch (error) {
				this.#onFault(error);
			}
		});
	}
}
