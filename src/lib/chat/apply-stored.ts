/**
 * Applying one stored server message (one with a `seq`) to a transcript, the same in the tab
 * that holds the connection and in the tabs that follow it: shown once (by `seq`), and an answer
 * to one of this conversation's queued messages is told to the voice and the face as it streams.
 */
import type { Mood, SequencedMessage } from '$lib/protocol/server-messages';
import type { Transcript } from './transcript.svelte';

/** An answer to one of this page's messages, as it streams (for the voice and the face). */
export type LiveReplyEvent =
	| { type: 'start'; replyId: string }
	| { type: 'delta'; replyId: string; text: string }
	| { type: 'end'; replyId: string; mood: Mood | null }
	| { type: 'interrupted'; replyId: string };

/** Applies `message`; false when it was applied before (and must be ignored). */
export function applyStored(
	transcript: Transcript,
	message: SequencedMessage,
	onLiveReply: ((event: LiveReplyEvent) => void) | undefined
): boolean {
	if (!transcript.apply(message)) return false;
	if (transcript.reply(message.replyId)?.ours) onLiveReply?.(liveEvent(message));
	return true;
}

function liveEvent(message: SequencedMessage): LiveReplyEvent {
	switch (message.type) {
		case 'reply.start':
			return { type: 'start', replyId: message.replyId };
		case 'reply.delta':
			return { type: 'delta', replyId: message.replyId, text: message.text };
		case 'reply.end':
			return { type: 'end', replyId: message.replyId, mood: message.mood ?? null };
		case 'reply.interrupted':
			return { type: 'interrupted', replyId: message.replyId };
	}
}
