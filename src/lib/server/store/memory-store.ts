/**
 * A MessageStore in memory: correct within one process, lost on restart. Bounded per client id
 * so that a client that never acknowledges cannot grow it without end.
 */
import type { SequencedMessage, UnsequencedMessage } from '../../protocol/server-messages';
import type { MessageStore } from './message-store';

export interface MemoryStoreLimits {
	/** Server messages kept per client id; the oldest go first. */
	maxMessagesPerClient: number;
	/** Accepted client message ids remembered per client id; the oldest go first. */
	maxAcceptedIdsPerClient: number;
}

const DEFAULT_LIMITS: MemoryStoreLimits = {
	maxMessagesPerClient: 5000,
	maxAcceptedIdsPerClient: 5000
};

interface ClientLog {
	lastSeq: number;
	messages: SequencedMessage[];
	acceptedIds: Set<string>;
}

export class MemoryStore implements MessageStore {
	readonly #clients = new Map<string, ClientLog>();
	readonly #limits: MemoryStoreLimits;

	constructor(limits: Partial<MemoryStoreLimits> = {}) {
		this.#limits = { ...DEFAULT_LIMITS, ...limits };
	}

	acceptClientMessage(clientId: string, id: string): boolean {
		const ids = this.#log(clientId).acceptedIds;
		if (ids.has(id)) return false;
		ids.add(id);
		// Sets iterate in insertion order, so the first entry is the oldest.
		if (ids.size > this.#limits.maxAcceptedIdsPerClient) {
			ids.delete(ids.values().next().value as string);
		}
		return true;
	}

	appendServerMessage(clientId: string, message: UnsequencedMessage): SequencedMessage {
		const log = this.#log(clientId);
		log.lastSeq += 1;
		const stored = { ...message, seq: log.lastSeq } as SequencedMessage;
		log.messages.push(stored);
		const excess = log.messages.length - this.#limits.maxMessagesPerClient;
		if (excess > 0) log.messages.splice(0, excess);
		return stored;
	}

	replay(clientId: string, afterSeq: number, limit = Number.POSITIVE_INFINITY): SequencedMessage[] {
		const messages = this.#clients.get(clientId)?.messages ?? [];
		const start = firstIndexAfter(messages, afterSeq);
		return messages.slice(start, start + limit);
	}

	trim(clientId: string, uptoSeq: number): void {
		const log = this.#clients.get(clientId);
		if (!log) return;
		log.messages.splice(0, firstIndexAfter(log.messages, uptoSeq));
	}

	lastSeq(clientId: string): number {
		return this.#clients.get(clientId)?.lastSeq ?? 0;
	}

	advanceSeq(clientId: string, seq: number): void {
		const log = this.#log(clientId);
		log.lastSeq = Math.max(log.lastSeq, seq);
	}

	close(): void {
		this.#clients.clear();
	}

	#log(clientId: string): ClientLog {
		let log = this.#clients.get(clientId);
		if (!log) {
			log = { lastSeq: 0, messages: [], acceptedIds: new Set() };
			this.#clients.set(clientId, log);
		}
		return log;
	}
}

/** Index of the first message with `seq > afterSeq` (messages are sorted by seq). */
function firstIndexAfter(messages: SequencedMessage[], afterSeq: number): number {
	let low = 0;
	let high = messages.length;
	while (low < high) {
		const middle = (low + high) >> 1;
		if ((messages[middle]?.seq ?? 0) <= afterSeq) low = middle + 1;
		else high = middle;
	}
	return low;
}
