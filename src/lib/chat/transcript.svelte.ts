/**
 * The conversation as the page shows it: the user's messages with their delivery marks, the
 * avatar's answers as they stream, and notices. Server messages are applied by `seq`, so a
 * replayed message (after a reconnect or a reload) is never shown twice.
 *
 * A user message's mark has one owner at a time: while the message is queued, the outbox's entry
 * (read here, never copied); once it has left the outbox, how it left (answered, dropped or
 * refused). The transcript also owns which answer is streaming (`streaming`) and whether it
 * answers one of this page's own messages (`ours`, the ones it speaks).
 */
import type { Mood, SequencedMessage } from '$lib/protocol/server-messages';
import type { OutboxState } from './outbox.svelte';

/**
 * pending: waiting for a connection; sent: on the wire; delivered: the server has it;
 * dropped: the outbox had to let it go unsent; refused: the server will not take it (the page
 * says why in a notice, for both).
 */
export type UserStatus = 'pending' | 'sent' | 'delivered' | 'dropped' | 'refused';

export interface UserItem {
	kind: 'user';
	id: string;
	text: string;
	status: UserStatus;
	/** A camera still went with it. */
	withImage: boolean;
}

/** How a user message left the outbox without an answer. */
export type UserOutcome = 'dropped' | 'refused';

/** A user message as stored: its mark comes from the outbox or from its outcome. */
type StoredUserItem = Omit<UserItem, 'status'> & { outcome: UserOutcome | null };

export interface AvatarItem {
	kind: 'avatar';
	replyId: string;
	inReplyTo: string;
	text: string;
	status: 'streaming' | 'done' | 'interrupted';
	mood: Mood | null;
	/** It answers one of this page's own messages (one in its outbox when the answer began). */
	ours: boolean;
}

export interface NoticeItem {
	kind: 'notice';
	id: string;
	text: string;
	tone: 'info' | 'warning' | 'error';
}

export type TranscriptItem = UserItem | AvatarItem | NoticeItem;
type StoredItem = StoredUserItem | AvatarItem | NoticeItem;

/** What the transcript reads of the outbox: the delivery state of a queued message. */
export interface DeliverySource {
	stateOf(id: string): OutboxState | undefined;
}

const MARK_OF: Readonly<Record<OutboxState, UserStatus>> = {
	pending: 'pending',
	sent: 'sent',
	acked: 'delivered'
};

let noticeCount = 0;

export class Transcript {
	readonly #delivery: DeliverySource;
	#items = $state<StoredItem[]>([]);
	/** The highest `seq` applied: what `resume` and `ack` report. */
	lastSeq = $state(0);
	/** The epoch of the server's log that `lastSeq` counts in; undefined before the first. */
	epoch: string | undefined = undefined;
	/** The stored messages applied in this epoch, in order: what another tab may be missing. */
	#applied: SequencedMessage[] = [];
	/** Every item, each user message with its mark; reactive. */
	readonly items: readonly TranscriptItem[] = $derived(this.#items.map((item) => this.#view(item)));

	/** `delivery`: the outbox the page's messages wait in. */
	constructor(delivery: DeliverySource) {
		this.#delivery = delivery;
	}

	/** The answer being streamed, if any. */
	get streaming(): AvatarItem | undefined {
		return this.#items.findLast(
			(item): item is AvatarItem => item.kind === 'avatar' && item.status === 'streaming'
		);
	}

	/** The answer with this id, if it is shown. */
	reply(replyId: string): AvatarItem | undefined {
		return this.#reply(replyId);
	}

	/** Adds one of the user's messages, once; its mark is read from the outbox. */
	addUser(id: string, text: string, withImage = false): void {
		if (this.#user(id)) return;
		this.#items.push({ kind: 'user', id, text, withImage, outcome: null });
	}

	/** The message left the outbox unanswered, and will not be sent again. */
	settleUser(id: string, outcome: UserOutcome): void {
		const item = this.#user(id);
		if (item) item.outcome = outcome;
	}

	notice(text: string, tone: NoticeItem['tone'] = 'info'): void {
		this.#items.push({ kind: 'notice', id: `notice-${++noticeCount}`, text, tone });
	}

	/**
	 * The server's log is in `epoch`. Another epoch than the known one means the log started over
	 * (a new id, a wiped or switched store): its seq numbers begin again at 1, so the ones seen so
	 * far say nothing about the new messages. What is shown stays. Returns whether it restarted.
	 */
	enterEpoch(epoch: string): boolean {
		if (epoch === this.epoch) return false;
		const restarted = this.epoch !== undefined;
		this.epoch = epoch;
		if (restarted) {
			this.lastSeq = 0;
			this.#applied = [];
		}
		return restarted;
	}

	/** The stored messages applied after `seq` in `epoch` (all of them for another epoch). */
	appliedSince(seq: number, epoch: string | undefined): SequencedMessage[] {
		const from = epoch === this.epoch ? seq : 0;
		return this.#applied.filter((message) => message.seq > from);
	}

	/**
	 * Applies a stored server message. Returns false for one already applied (seq at or below
	 * `lastSeq`), which the caller must ignore too (no second speaking of it).
	 */
	apply(message: SequencedMessage): boolean {
		if (message.seq <= this.lastSeq) return false;
		this.lastSeq = message.seq;
		this.#applied.push(message);
		switch (message.type) {
			case 'reply.start':
				this.#start(message.replyId, message.inReplyTo, message.userText);
				break;
			case 'reply.delta': {
				const reply = this.#reply(message.replyId);
				if (reply?.status === 'streaming') reply.text += message.text;
				break;
			}
			case 'reply.end': {
				const reply = this.#reply(message.replyId);
				if (reply) {
					reply.text = message.text;
					reply.status = 'done';
					reply.mood = message.mood ?? null;
				}
				break;
			}
			case 'reply.interrupted': {
				const reply = this.#reply(message.replyId);
				if (reply) reply.status = 'interrupted';
				break;
			}
		}
		return true;
	}

	#start(replyId: string, inReplyTo: string, userText: string | undefined): void {
		if (this.#reply(replyId)) return;
		const reply: AvatarItem = {
			kind: 'avatar',
			replyId,
			inReplyTo,
			text: '',
			status: 'streaming',
			mood: null,
			ours: this.#delivery.stateOf(inReplyTo) !== undefined
		};
		const userIndex = this.#items.findIndex(
			(item) => item.kind === 'user' && item.id === inReplyTo
		);
		if (userIndex >= 0) {
			this.#items.splice(this.#afterAnswers(userIndex), 0, reply);
			return;
		}
		// From the server's history (a reload): older than anything still waiting for its answer.
		const at = this.#firstUnanswered();
		const entries: StoredItem[] = userText
			? [{ kind: 'user', id: inReplyTo, text: userText, withImage: false, outcome: null }, reply]
			: [reply];
		this.#items.splice(at, 0, ...entries);
	}

	/** An item as shown: a user message gets its mark (see the file comment). */
	#view(item: StoredItem): TranscriptItem {
		if (item.kind !== 'user') return item;
		const { outcome, ...shown } = item;
		return { ...shown, status: this.#userStatus(item.id, outcome) };
	}

	#userStatus(id: string, outcome: UserOutcome | null): UserStatus {
		if (this.#answered(id)) return 'delivered';
		const state = this.#delivery.stateOf(id);
		if (state) return MARK_OF[state];
		return outcome ?? 'delivered';
	}

	/** An answer to the user's message with this id has begun. */
	answered(id: string): boolean {
		return this.#answered(id);
	}

	#answered(id: string): boolean {
		return this.#items.some((item) => item.kind === 'avatar' && item.inReplyTo === id);
	}

	/** The index just past the user's message at `index` and the answers already under it. */
	#afterAnswers(index: number): number {
		let at = index + 1;
		while (this.#items[at]?.kind === 'avatar') at++;
		return at;
	}

	/** Where history goes: before the first user message that has no answer yet. */
	#firstUnanswered(): number {
		const index = this.#items.findIndex((item) => item.kind === 'user' && !this.#answered(item.id));
		return index >= 0 ? index : this.#items.length;
	}

	#user(id: string): StoredUserItem | undefined {
		return this.#items.find(
			(item): item is StoredUserItem => item.kind === 'user' && item.id === id
		);
	}

	#reply(replyId: string): AvatarItem | undefined {
		return this.#items.find(
			(item): item is AvatarItem => item.kind === 'avatar' && item.replyId === replyId
		);
	}
}
