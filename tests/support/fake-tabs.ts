/**
 * The browser's Web Locks and BroadcastChannel, for unit tests of tabs sharing a connection:
 * several "tabs" (owners) in one test, a lock granted to one owner at a time in the order asked,
 * messages delivered (cloned, in a later task) to every other owner on the same channel name.
 * `kill(owner)` is a crashed tab: its locks go to the next in line and it hears nothing more.
 */
import type { LockManagerLike } from '../../src/lib/tabs/leader-election';
import type { BroadcastLike } from '../../src/lib/tabs/tab-channel';

interface LockRequest {
	owner: string;
	grant: () => void;
	signal?: AbortSignal;
}

export class FakeBrowser {
	readonly #holders = new Map<string, { owner: string; release: () => void }>();
	readonly #queues = new Map<string, LockRequest[]>();
	readonly #channels = new Map<string, Set<{ owner: string; deliver: (data: unknown) => void }>>();
	readonly #dead = new Set<string>();
	/** Every message posted, for assertions: `[owner, channel, data]`. */
	readonly posted: Array<[string, string, unknown]> = [];

	/** `navigator.locks` of one tab. */
	locks(owner: string): LockManagerLike {
		return {
			request: (name, options, callback) =>
				new Promise((resolve, reject) => {
					const request: LockRequest = {
						owner,
						signal: options.signal,
						grant: () => {
							let release = () => {};
							const done = new Promise<void>((r) => (release = r));
							this.#holders.set(name, { owner, release });
							void Promise.resolve(callback({ name }))
								.then(resolve, reject)
								.finally(() => release());
							void done.then(() => {
								if (this.#holders.get(name)?.owner !== owner) return;
								this.#holders.delete(name);
								this.#next(name);
							});
						}
					};
					options.signal?.addEventListener('abort', () => {
						const queue = this.#queues.get(name) ?? [];
						const at = queue.indexOf(request);
						if (at >= 0) {
							queue.splice(at, 1);
							reject(new Error('AbortError'));
						}
					});
					const queue = this.#queues.get(name) ?? [];
					queue.push(request);
					this.#queues.set(name, queue);
					// The browser grants in a task of its own, never during the call.
					queueMicrotask(() => {
						if (!this.#holders.has(name)) this.#next(name);
					});
				})
		};
	}

	/** `new BroadcastChannel(name)` in one tab. */
	channel(owner: string): (name: string) => BroadcastLike {
		return (name) => {
			const listeners: Array<(event: { data: unknown }) => void> = [];
			const member = {
				owner,
				deliver: (data: unknown) => listeners.forEach((listener) => listener({ data }))
			};
			const members = this.#channels.get(name) ?? new Set();
			members.add(member);
			this.#channels.set(name, members);
			return {
				postMessage: (data) => {
					if (this.#dead.has(owner)) return;
					this.posted.push([owner, name, data]);
					const copy = structuredClone(data);
					for (const other of members) {
						if (other === member) continue;
						setTimeout(() => {
							if (!this.#dead.has(other.owner)) other.deliver(structuredClone(copy));
						}, 0);
					}
				},
				addEventListener: (_type, listener) => listeners.push(listener),
				close: () => members.delete(member)
			};
		};
	}

	/** Who holds the lock `name` now. */
	holder(name: string): string | undefined {
		return this.#holders.get(name)?.owner;
	}

	/** The tab crashed: it hears nothing more, and its locks go to the next in line. */
	kill(owner: string): void {
		this.#dead.add(owner);
		for (const [name, queue] of this.#queues) {
			this.#queues.set(
				name,
				queue.filter((request) => request.owner !== owner)
			);
		}
		for (const [name, holder] of [...this.#holders]) {
			if (holder.owner !== owner) continue;
			this.#holders.delete(name);
			this.#next(name);
		}
	}

	#next(name: string): void {
		const queue = this.#queues.get(name) ?? [];
		const request = queue.shift();
		if (request && !request.signal?.aborted) request.grant();
	}
}

/** Lets the fake browser's tasks (grants, deliveries) run. */
export async function settle(rounds = 5): Promise<void> {
	for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
