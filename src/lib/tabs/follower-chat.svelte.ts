/**
 * The conversation in a tab that does not hold the connection. It shows what the leader tab
 * receives (the same stored messages, applied once by `seq`), and hands what is typed here to the
 * leader. A message typed here stays here, pending, until the leader says it has queued it
 * (`taken`, or the message shows in the leader's outbox): when the leader goes away first, the
 * next leader gets it (another tab, or this one).
 *
 * History: a tab that starts, or sees a new leader, asks for what it has not seen (`hello` with
 * its last seq) and applies nothing live until the answer (`history`) comes; the answer holds
 * every message the leader had applied by then, and the channel keeps one sender's order.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { CameraFrame } from '$lib/camera/still';
import { applyStored, type LiveReplyEvent } from '$lib/chat/apply-stored';
import { checkChatText, type ChatSurface } from '$lib/chat/chat-surface';
import { makeMessageId, type OutboxMessage, type OutboxState } from '$lib/chat/outbox.svelte';
import type { DeliverySource, Transcript } from '$lib/chat/transcript.svelte';
import { isSequenced } from '$lib/protocol/server-messages';
import { MirroredOutbox } from './mirrored-outbox.svelte';
import type { TabChannel } from './tab-channel';
import type { TabMessage } from './tab-messages';

export interface FollowerChatOptions {
	transcript: Transcript;
	channel: TabChannel;
	onLiveReply?: (event: LiveReplyEvent) => void;
}

/** A message typed in this tab that no leader has confirmed yet. */
export interface HeldMessage {
	message: OutboxMessage;
	withImage: boolean;
}

export class FollowerChat implements ChatSurface, DeliverySource {
	readonly transcript: Transcript;
	/** The leader's outbox, as it last said. */
	readonly outbox = new MirroredOutbox();
	readonly #channel: TabChannel;
	readonly #onLiveReply: FollowerChatOptions['onLiveReply'];
	readonly #held = new SvelteMap<string, HeldMessage>();
	/** The leader has answered this tab's `hello`: live messages follow on from its history. */
	#synced = false;

	constructor(options: FollowerChatOptions) {
		this.transcript = options.transcript;
		this.#channel = options.channel;
		this.#onLiveReply = options.onLiveReply;
	}

	/** The messages typed here that no leader has yet, oldest first. */
	get held(): HeldMessage[] {
		return [...this.#held.values()];
	}

	/** Asks the leader, if there is one yet, for what this tab has not seen. */
	start(): void {
		this.#hello();
	}

	send(text: string, still?: CameraFrame | null): string | null {
		const checked = checkChatText(text);
		if ('problem' in checked) return checked.problem;
		if (still) this.sendFrame(still);
		const message = { type: 'chat', id: makeMessageId(), text: checked.text } as const;
		this.transcript.addUser(message.id, message.text, !!still);
		this.#hold({ message, withImage: !!still });
		return null;
	}

	sendFrame(still: CameraFrame): void {
		this.#hold({ message: { type: 'frame', id: makeMessageId(), ...still }, withImage: false });
	}

	interrupt(replyId?: string): void {
		this.#channel.post(replyId ? { type: 'interrupt', replyId } : { type: 'interrupt' });
	}

	/** Held here: pending, whatever the leader's outbox says. */
	stateOf(id: string): OutboxState | undefined {
		return this.#held.has(id) ? 'pending' : this.outbox.stateOf(id);
	}

	/** A message from the leader tab. */
	receive(message: TabMessage): void {
		switch (message.type) {
			case 'leader':
				// A new leader: it has not got what is held here, nor said what this tab missed.
				this.#synced = false;
				this.#hello();
				for (const held of this.#held.values()) this.#submit(held);
				return;
			case 'history':
				if (message.epoch !== undefined) this.transcript.enterEpoch(message.epoch);
				for (const stored of message.messages) {
					applyStored(this.transcript, stored, this.#onLiveReply);
				}
				this.#synced = true;
				return;
			case 'server':
				if (message.message.type === 'connected') {
					this.transcript.enterEpoch(message.message.epoch);
				} else if (this.#synced && isSequenced(message.message)) {
					applyStored(this.transcript, message.message, this.#onLiveReply);
				}
				return;
			case 'outbox':
				this.outbox.update(message.entries);
				for (const entry of message.entries) {
					this.#held.delete(entry.id);
					if (entry.text !== undefined) this.transcript.addUser(entry.id, entry.text);
				}
				return;
			case 'taken':
				this.#held.delete(message.id);
				return;
			default:
				return;
		}
	}

	#hold(held: HeldMessage): void {
		this.#held.set(held.message.id, held);
		this.#submit(held);
	}

	#submit(held: HeldMessage): void {
		this.#channel.post({ type: 'submit', message: held.message, withImage: held.withImage });
	}

	#hello(): void {
		const { lastSeq, epoch } = this.transcript;
		this.#channel.post(
			epoch === undefined ? { type: 'hello', lastSeq } : { type: 'hello', lastSeq, epoch }
		);
	}
}
