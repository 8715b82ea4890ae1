import { CLOSE, CLOSE_REASON } from '../protocol/limits';

/**
 * The live connections by client id. One connection per client id: a newer one replaces the
 * older, which is closed with 1000 "replaced".
 */

/** What the registry needs from a connection. */
export interface Registered {
	readonly clientId: string;
	readonly sessionId: string;
	close(code: number, reason: string): void;
}

export class Registry<S extends Registered> {
	readonly #byClientId = new Map<string, S>();

	/** Adds a connection; the one it replaces, if any, is closed with 1000 "replaced" and returned. */
	add(session: S): S | undefined {
		const old = this.#byClientId.get(session.clientId);
		this.#byClientId.set(session.clientId, session);
		if (old && old !== session) old.close(CLOSE.normal, CLOSE_REASON.replaced);
		return old;
	}

	/** Removes a connection, unless a newer one for the same client id has taken its place. */
	remove(session: S): void {
		if (this.#byClientId.get(session.clientId) === session)
			this.#byClientId.delete(session.clientId);
	}

	get(clientId: string): S | undefined {
		return this.#byClientId.get(clientId);
	}

	get size(): number {
		return this.#byClientId.size;
	}

	all(): S[] {
		return [...this.#byClientId.values()];
	}
}
