/** The default brain: deterministic answers from ./local-answers, streamed phrase by phrase. */
import type { Answer } from './describe-image';
import { answerText } from './local-answers';
import { chunkWords, pause } from './stream-text';
import type { Brain, BrainEvent, BrainRequest } from './types';

export interface LocalBrainOptions {
	/** Pause between streamed chunks, so captions appear as if spoken. */
	chunkDelayMs: number;
	/** Words per streamed chunk (3 by default: a short phrase). */
	wordsPerChunk?: number;
	/** Time zone for answers about the time; the server's own when undefined. */
	timeZone?: string;
}

export class LocalBrain implements Brain {
	readonly name = 'local';
	readonly #options: LocalBrainOptions;

	constructor(options: LocalBrainOptions) {
		this.#options = options;
	}

	/** Streams the mood first, then the answer in short phrases with a small pause between them. */
	async *reply(request: BrainRequest, signal: AbortSignal): AsyncIterable<BrainEvent> {
		// Let the caller's start message go out before the (synchronous) work of answering.
		if (!(await pause(0, signal))) return;
		const answer = this.#answer(request);
		yield { type: 'mood', mood: answer.mood };
		const chunks = chunkWords(answer.text, this.#options.wordsPerChunk ?? 3);
		for (const [i, text] of chunks.entries()) {
			if (i > 0 && !(await pause(this.#options.chunkDelayMs, signal))) return;
			if (signal.aborted) return;
			yield { type: 'text', text };
		}
	}

	#answer({ input, facts, now, lastImage }: BrainRequest): Answer {
		return answerText(input.text, { facts, now, lastImage, timeZone: this.#options.timeZone });
	}
}
