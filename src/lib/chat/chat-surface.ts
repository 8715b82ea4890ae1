/**
 * What the talk page asks of its conversation, whichever tab holds the connection: the tab that
 * does talks to the server itself (`ChatClient`), the others hand their messages to it
 * (`$lib/tabs/follower-chat`). The checks of a typed message are the same in both.
 */
import type { CameraFrame } from '$lib/camera/still';
import { MAX_CHAT_CHARS } from '$lib/protocol/limits';
import type { Transcript } from './transcript.svelte';

export interface ChatSurface {
	readonly transcript: Transcript;
	/** Sends a chat (a still first, when given); an error text for one that cannot go, else null. */
	send(text: string, still?: CameraFrame | null): string | null;
	sendFrame(still: CameraFrame): void;
	/** Asks the server to stop the answer being streamed (barge-in). */
	interrupt(replyId?: string): void;
}

/** The typed text as sent (trimmed), or why it cannot be sent. */
export function checkChatText(text: string): { text: string } | { problem: string } {
	const trimmed = text.trim();
	if (!trimmed) return { problem: 'Type a message first.' };
	if (trimmed.length > MAX_CHAT_CHARS) {
		return {
			problem: `That message is ${trimmed.length} characters; the limit is ${MAX_CHAT_CHARS}.`
		};
	}
	return { text: trimmed };
}
