/**
 * An in-memory Web Storage (`localStorage`-like) for unit tests. It can be given a quota, in
 * characters of keys plus values, over which `setItem` throws a `QuotaExceededError` as browsers
 * do, and can be told to fail every read or write (storage disabled, e.g. private mode).
 */
export class MemoryStorage implements Storage {
	readonly #items = new Map<string, string>();
	/** Largest total of key and value lengths `setItem` accepts; Infinity by default. */
	quota: number;
	/** When true, every read and write throws, like a storage the browser has blocked. */
	blocked = false;
	/** Every `setItem` call that succeeded, in order: key and value. */
	readonly writes: Array<{ key: string; value: string }> = [];

	constructor(initial: Record<string, string> = {}, quota = Infinity) {
		this.quota = quota;
		for (const [key, value] of Object.entries(initial)) this.#items.set(key, value);
	}

	get length(): number {
		this.#check();
		return this.#items.size;
	}

	key(index: number): string | null {
		this.#check();
		return [...this.#items.keys()][index] ?? null;
	}

	getItem(key: string): string | null {
		this.#check();
		return this.#items.get(key) ?? null;
	}

	setItem(key: string, value: string): void {
		this.#check();
		const others = [...this.#items].reduce(
			(sum, [k, v]) => (k === key ? sum : sum + k.length + v.length),
			0
		);
		if (others + key.length + value.length > this.quota) {
			throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
		}
		this.#items.set(key, String(value));
		this.writes.push({ key, value: String(value) });
	}

	removeItem(key: string): void {
		this.#check();
		this.#items.delete(key);
	}

	clear(): void {
		this.#check();
		this.#items.clear();
	}

	#check(): void {
		if (this.blocked) throw new DOMException('The operation is insecure.', 'SecurityError');
	}
}
