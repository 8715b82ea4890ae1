/**
 * The conversation as the page shows it: the user's messages with their delivery marks, the
 * avatar's answers as they stream, and notices. Server messages are applied by `seq`, so a
 * replayed message (after a reconnect or a reload) is never shown twice.
 */
import type { Mood, SequencedMessage } from '$lib/protocol/server-messages';

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

export interface AvatarItem {
	kind: 'avatar';
	replyId: string;
	inReplyTo: string;
	text: string;
	status: 'streaming' | 'done' | 'interrupted';
	mood: Mood | null;
}

export interface NoticeItem {
	kind: 'notice';
	id: string;
	text: string;
	tone: 'info' | 'warning' | 'error';
}

export type TranscriptItem = UserItem | AvatarItem | NoticeItem;

let noticeCount = 0;

export class Transcript {
	items = $state<TranscriptItem[]>([]);
	/** The highest `seq` applied: what `resume` and `ack` report. */
	lastSeq = $state(0);

	/** The answer being streamed, if any. */
	get streaming(): AvatarItem | undefined {
		return this.items.findLast(
			(item): item is AvatarItem => item.kind === 'avatar' && item.status === 'streaming'
		);
	}

	/** Adds one of the user's messages (or updates its status if it is there already). */
	addUser(id: string, text: string, status: UserStatus, withImage = false): void {
		const existing = this.#user(id);
		if (existing) {
			existing.status = status;
			return;
		}
		this.items.push({ kind: 'user', id, text, status, withImage });
	}

	setUserStatus(id: string, status: UserStatus): void {
		const item = this.#user(id);
		if (item) item.status = status;
	}

	notice(text: string, tone: NoticeItem['tone'] = 'info'): void {
		this.items.push({ kind: 'notice', id: `notice-${++noticeCount}`, text, tone });
	}

	/**
	 * The server's log started over (a new epoch): its seq numbers begin again at 1, so the ones
	 * seen so far say nothing about the new messages. What is shown stays.
	 */
	restartSeq(): void {
		this.lastSeq = 0;
	}

	/**
	 * Applies a stored server message. Returns false for one already applied (seq at or below
	 * `lastSeq`), which the caller must ignore too (no second speaking of it).
	 */
	apply(message: SequencedMessage): boolean {
		if (message.seq <= this.lastSeq) return false;
		this.lastSeq = message.seq;
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
			mood: null
		};
		const userIndex = this.items.findIndex((item) => item.kind === 'user' && item.id === inReplyTo);
		if (userIndex >= 0) {
			const user = this.items[userIndex] as UserItem;
			user.status = 'delivered';
			this.items.splice(this.#afterAnswers(userIndex), 0, reply);
			return;
		}
		// From the server's history (a reload): older than anything still waiting for its answer.
		const at = this.#firstUnanswered();
		const entries: TranscriptItem[] = userText
			? [
					{ kind: 'user', id: inReplyTo, text: userText, status: 'delivered', withImage: false },
					reply
				]
			: [reply];
		this.items.splice(at, 0, ...entries);
	}

	/** The index just past the user's message at `index` and the answers already under it. */
	#afterAnswers(index: number): number {
		let at = index + 1;
		while (this.items[at]?.kind === 'avatar') at++;
		return at;
	}

	/** Where history goes: before the first user message that has no answer yet. */
	#firstUnanswered(): number {
		const answered = (id: string) =>
			this.items.some((item) => item.kind === 'avatar' && item.inReplyTo === id);
		const index = this.items.findIndex((item) => item.kind === 'user' && !answered(item.id));
		return index >= 0 ? index : this.items.length;
	}

	#user(id: string): UserItem | undefined {
		return this.items.find((item): item is UserItem => item.kind === 'user' && item.id === id);
	}

	#reply(replyId: string): AvatarItem | undefined {
		return this.items.find(
			(item): item is AvatarItem => item.kind === 'avatar' && item.replyId === replyId
		);
	}
}
