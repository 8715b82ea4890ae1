/**
 * A MessageStore in memory: the same rules as the SQLite store (./retention), correct within one
 * process, lost on restart. For tests and `STORE=memory`.
 */
import type { SequencedMessage, UnsequencedMessage } from '../../protocol/server-messages';
import type { ImageInput } from '../../protocol/client-messages';
import type * as store from './message-store';
import { SYNC } from './sync-store';
import { newEpoch } from './epoch';
import {
	acceptedRetainMs,
	countTrimUpTo,
	MAX_ACCEPTED_IDS_PER_CLIENT,
	resolveRetention
} from './retention';

interface StoredMessage {
	message: SequencedMessage;
	at: number;
}

interface InputRecord {
	at: number;
	/** The chat's text while it waits for its answer; undefined for stills and answered chats. */
	text?: string;
	replyId?: string;
	answered: boolean;
}

interface ClientLog {
	identity: store.ClientIdentity;
	lastSeq: number;
	ackedSeq: number;
	messages: StoredMessage[];
	/** By id, in the order accepted (Maps iterate in insertion order). */
	inputs: Map<string, InputRecord>;
	image?: { image: ImageInput; at: number };
}

export class MemoryStore implements store.SyncMessageStore {
	readonly [SYNC] = true;
	readonly #clients = new Map<string, ClientLog>();
	readonly #retention: store.RetentionOptions;

	constructor(retention: Partial<store.RetentionOptions> = {}) {
		this.#retention = resolveRetention(retention);
	}

	identity(clientId: string): store.ClientIdentity | undefined {
		const identity = this.#clients.get(clientId)?.identity;
		return identity ? { ...identity } : undefined;
	}

	arrive(batch: readonly store.ArrivalRequest[]): store.ArrivalRecord[] {
		return batch.map(({ clientId, tokenHash }) => {
			const created = !this.#clients.has(clientId);
			const log = this.#log(clientId);
			const claimed = log.identity.tokenHash === null;
			if (claimed) log.identity.tokenHash = tokenHash;
			return { claimed, identity: { ...log.identity }, lastSeq: log.lastSeq, created };
		});
	}

	acceptClientMessage(clientId: string, input: store.AcceptedInput): boolean {
		const log = this.#log(clientId);
		if (log.inputs.has(input.id)) return false;
		const at = this.#retention.now();
		if (input.kind === 'chat') {
			log.inputs.set(input.id, { at, text: input.text, answered: false });
		} else {
			log.inputs.set(input.id, { at, answered: true });
			log.image = { image: input.image, at };
		}
		this.#trimAccepted(log);
		return true;
	}

	acceptClientMessages(batch: readonly store.AcceptRequest[]): boolean[] {
		return batch.map(({ clientId, input }) => this.acceptClientMessage(clientId, input));
	}

	appendServerMessage(clientId: string, message: UnsequencedMessage): SequencedMessage {
		const log = this.#log(clientId);
		log.lastSeq += 1;
		const stored = { ...message, seq: log.lastSeq } as SequencedMessage;
		log.messages.push({ message: stored, at: this.#retention.now() });
		if (message.type === 'reply.start') {
			const input = log.inputs.get(message.inReplyTo);
			if (input?.text !== undefined && !input.answered) input.replyId = message.replyId;
		} else if (message.type === 'reply.end' || message.type === 'reply.interrupted') {
			for (const input of log.inputs.values()) {
				if (!input.answered && input.replyId === message.replyId) {
					input.answered = true;
					input.text = undefined;
				}
			}
		}
		this.#trimCount(log);
		return stored;
	}

	startReply(clientId: string, message: store.UnsequencedStart): store.StartOutcome {
		const input = this.#clients.get(clientId)?.inputs.get(message.inReplyTo);
		if (input && (input.answered || input.replyId !== undefined)) return { refused: 'answered' };
		return { started: this.appendServerMessage(clientId, message) };
	}

	replay(clientId: string, afterSeq: number, limit = Number.POSITIVE_INFINITY): SequencedMessage[] {
		const messages = this.#clients.get(clientId)?.messages ?? [];
		const start = firstIndexAfter(messages, afterSeq);
		return messages.slice(start, start + limit).map((stored) => stored.message);
	}

	acknowledge(clientId: string, seq: number): void {
		const log = this.#clients.get(clientId);
		if (!log) return;
		log.ackedSeq = Math.max(log.ackedSeq, Math.min(seq, log.lastSeq));
		this.#trimCount(log);
	}

	ackedSeq(clientId: string): number {
		return this.#clients.get(clientId)?.ackedSeq ?? 0;
	}

	lastSeq(clientId: string): number {
		return this.#clients.get(clientId)?.lastSeq ?? 0;
	}

	pendingChats(clientId: string): store.PendingChat[] {
		const pending: store.PendingChat[] = [];
		for (const [id, input] of this.#clients.get(clientId)?.inputs ?? []) {
			if (!input.answered && input.text !== undefined) pending.push({ id, text: input.text });
		}
		return pending;
	}

	latestImage(clientId: string): ImageInput | undefined {
		const image = this.#clients.get(clientId)?.image;
		const cutoff = this.#retention.now() - this.#retention.retainMs;
		return image && image.at >= cutoff ? image.image : undefined;
	}

	recover(streaming: (replyId: string) => boolean = () => false): store.RecoveryReport {
		const report: store.RecoveryReport = { recovered: [], failed: [] };
		for (const [clientId, log] of this.#clients) {
			const open = [...log.inputs.values()].filter(
				(i) => !i.answered && i.replyId !== undefined && !streaming(i.replyId)
			);
			try {
				for (const { replyId } of open) {
					if (replyId === undefined) continue;
					const { seq } = this.appendServerMessage(clientId, {
						type: 'reply.interrupted',
						replyId
					});
					report.recovered.push({ clientId, replyId, seq });
				}
			} catch (error) {
				report.failed.push({ clientId, error });
			}
		}
		return report;
	}

	sweep(): void {
		const now = this.#retention.now();
		const messageCutoff = now - this.#retention.retainMs;
		const inputCutoff = now - acceptedRetainMs(this.#retention.retainMs);
		for (const log of this.#clients.values()) {
			log.messages = log.messages.filter((stored) => stored.at >= messageCutoff);
			for (const [id, input] of log.inputs) if (input.at < inputCutoff) log.inputs.delete(id);
			if (log.image && log.image.at < messageCutoff) log.image = undefined;
		}
	}

	close(): void {
		this.#clients.clear();
	}

	#log(clientId: string): ClientLog {
		let log = this.#clients.get(clientId);
		if (!log) {
			const identity = { epoch: newEpoch(), tokenHash: null };
			log = { identity, lastSeq: 0, ackedSeq: 0, messages: [], inputs: new Map() };
			this.#clients.set(clientId, log);
		}
		return log;
	}

	#trimCount(log: ClientLog): void {
		const upTo = countTrimUpTo(log.lastSeq, log.ackedSeq, this.#retention.retainMessages);
		if (upTo > 0) log.messages.splice(0, firstIndexAfter(log.messages, upTo));
	}

	/** Past the count limit, forgets the oldest ids whose chat is answered (or stills). */
	#trimAccepted(log: ClientLog): void {
		let excess = log.inputs.size - MAX_ACCEPTED_IDS_PER_CLIENT;
		for (const [id, input] of log.inputs) {
			if (excess <= 0) return;
			if (input.answered) {
				log.inputs.delete(id);
				excess -= 1;
			}
		}
	}
}

/** Index of the first message with `seq > afterSeq` (messages are sorted by seq). */
function firstIndexAfter(messages: StoredMessage[], afterSeq: number): number {
	let low = 0;
	let high = messages.length;
	while (low < high) {
		const middle = (low + high) >> 1;
		if ((messages[middle]?.message.seq ?? 0) <= afterSeq) low = middle + 1;
		else high = middle;
	}
	return low;
}
