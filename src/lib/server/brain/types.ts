/**
 * The brain: whatever answers the user. One small streaming interface, so the local responder
 * and an OpenAI-compatible model are interchangeable.
 */
import type { ChatInput, ImageInput } from '../../protocol/client-messages';
import type { Mood } from '../../protocol/server-messages';

export type { ImageInput, Mood };

/** Facts about the connection that the brain may talk about. */
export interface ConnectionFacts {
	clientId: string;
	/** `open` while a socket for this client id is connected. */
	state: 'open' | 'disconnected';
	/** When the current connection opened (ms since the epoch), if there is one. */
	connectedAt?: number;
	serverStartedAt: number;
	/** JSON pings sent to and pongs received from the current connection. */
	pingsSent: number;
	pongsReceived: number;
	/** Round trip of the last answered ping, in ms. */
	lastRttMs?: number;
	/** Connections this client id has opened since the server started. */
	connectionsOpened: number;
}

export interface BrainRequest {
	clientId: string;
	/** What to answer: always a chat (a still is context for it, see `image` and `lastImage`). */
	input: ChatInput;
	facts: ConnectionFacts;
	/** The most recent camera still of this client, for "what do you see?". */
	lastImage?: ImageInput;
	/**
	 * A still that came with this chat (it arrived after the previous reply started): a
	 * multimodal brain looks at it along with the words.
	 */
	image?: ImageInput;
	/** The server's clock, so answers about the time are testable. */
	now: Date;
}

/** One piece of a streamed answer. */
export type BrainEvent =
	| { type: 'text'; text: string }
	| { type: 'mood'; mood: Mood }
	/** Something failed; the brain also streams a spoken apology as text. */
	| { type: 'error'; code: string; message: string };

export interface Brain {
	readonly name: string;
	/**
	 * Streams the answer to one request. Stops soon after `signal` aborts. Never throws for
	 * failures of the model or network: those become an `error` event plus an apology.
	 */
	reply(request: BrainRequest, signal: AbortSignal): AsyncIterable<BrainEvent>;
}
