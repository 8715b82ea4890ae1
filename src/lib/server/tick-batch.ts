/**
 * Group commit: every request that arrives in one turn of the event loop (or within `windowMs`)
 * goes to the store in one call (one transaction), then each is settled in arrival order with its
 * own result. Batches commit one after the other, so they settle in order too. ./accept-queue
 * stores client messages this way, ./ownership looks up arriving connections this way.
 */
import { metrics } from './metrics';

/** How one request turned out: its result, or the error that failed its whole batch. */
export type BatchOutcome<Result> = { ok: true; value: Result } | { ok: false; error: unknown };

interface Waiting<Request, Result> {
	request: Request;
	settle: (outcome: BatchOutcome<Result>) => void;
}

export class TickBatch<Request, Result> {
	readonly #commit: (batch: readonly Request[]) => Promise<Result[]>;
	/** A settle callback threw (a bug): reported here, and the rest of the batch still settles. */
	readonly #onFault: (error: unknown) => void;
	/** The `op` label of talkline_store_commit_seconds. */
	readonly #op: string;
	readonly #windowMs: number;
	#waiting: Waiting<Request, Result>[] = [];
	#scheduled = false;
	/** The commit in progress: the next one waits for it, so batches settle in order. */
	#committing: Promise<void> = Promise.resolve();

	constructor(
		op: string,
		commit: (batch: readonly Request[]) => Promise<Result[]>,
		onFault: (error: unknown) => void,
		/** How long the first request of a batch waits for others; 0: until the end of the turn. */
		windowMs = 0
	) {
		this.#op = op;
		this.#windowMs = windowMs;
		this.#commit = commit;
		this.#onFault = onFault;
	}

	/** Queues a request for the commit at the end of this turn; `settle` is called after it. */
	add(request: Request, settle: (outcome: BatchOutcome<Result>) => void): void {
		this.#waiting.push({ request, settle });
		if (this.#scheduled) return;
		this.#scheduled = true;
		// setImmediate runs after the poll phase, so every socket read in this turn is in the batch.
		if (this.#windowMs === 0) setImmediate(() => void this.flush());
		else setTimeout(() => void this.flush(), this.#windowMs);
	}

	/** add() as a promise, for callers that await the result. */
	request(request: Request): Promise<Result> {
		return new Promise((resolve, reject) =>
			this.add(request, (outcome) => (outcome.ok ? resolve(outcome.value) : reject(outcome.error)))
		);
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
		this.#committing = this.#committing.then(() => this.#run(batch)).catch(this.#onFault);
		return this.#committing;
	}

	async #run(batch: Waiting<Request, Result>[]): Promise<void> {
		if (batch.length === 0) return;
		let outcomes: BatchOutcome<Result>[];
		const commit = metrics.storeCommitSeconds.startTimer({ op: this.#op });
		try {
			const results = await this.#commit(batch.map((waiting) => waiting.request));
			outcomes = results.map((value) => ({ ok: true as const, value }));
		} catch (error) {
			outcomes = batch.map(() => ({ ok: false as const, error }));
		}
		commit();
		batch.forEach((waiting, index) => {
			try {
				waiting.settle(outcomes[index] as BatchOutcome<Result>);
			} catch (error) {
				this.#onFault(error);
			}
		});
	}
}
