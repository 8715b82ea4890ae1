/**
 * A brain backed by any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM,
 * llama.cpp server), streamed. Keeps a short history per client id. Failures become an `error`
 * event plus a spoken apology: never a throw, never a reply that hangs.
 */
import { describeImage } from './describe-image';
import { MemoryHistory, type ConversationHistory } from './history';
import { duration } from './local-answers';
import { guessMood } from './mood';
import {
	BrainFailure,
	streamCompletion,
	type ChatTurn,
	type CompletionOptions
} from './openai-request';
import type { Brain, BrainEvent, BrainRequest, ConnectionFacts, ImageInput } from './types';

export interface OpenAiBrainOptions extends CompletionOptions {
	/** Send camera stills as image parts (turned off by itself if the model refuses them). */
	vision: boolean;
	/** Turns (user + assistant messages) kept per client id. */
	maxHistory: number;
	systemPrompt: string;
	/** Called with every failure, for the log. */
	onFailure?: (clientId: string, failure: BrainFailure) => void;
	/** Where the turns are kept: in memory by default, in Redis when instances share clients. */
	history?: ConversationHistory;
}

const APOLOGY: Record<BrainFailure['kind'], string> = {
	unreachable: "Sorry, I can't reach my language model right now. Please try again in a moment.",
	unauthorized: "Sorry, my language model refused my credentials, so I can't answer right now.",
	rejected: 'Sorry, my language model could not answer that. Please try again.',
	timeout: 'Sorry, my language model is taking too long to answer. Please try again.',
	bad_response: 'Sorry, my language model gave me an answer I could not understand.'
};

export class OpenAiBrain implements Brain {
	readonly name = 'openai';
	readonly #options: OpenAiBrainOptions;
	readonly #history: ConversationHistory;
	#vision: boolean;

	constructor(options: OpenAiBrainOptions) {
		this.#options = options;
		this.#vision = options.vision;
		this.#history = options.history ?? new MemoryHistory();
	}

	async *reply(request: BrainRequest, signal: AbortSignal): AsyncIterable<BrainEvent> {
		const history = await this.#historyOf(request.clientId);
		let answer = '';
		try {
			for await (const piece of this.#complete(request, history, signal)) {
				answer += piece;
				yield { type: 'text', text: piece };
			}
		} catch (error) {
			const failure =
				error instanceof BrainFailure ? error : new BrainFailure('bad_response', String(error));
			this.#options.onFailure?.(request.clientId, failure);
			yield { type: 'error', code: 'brain_failed', message: failure.message };
			yield { type: 'mood', mood: 'concerned' };
			const joint = answer === '' ? '' : /\s$/.test(answer) ? '… ' : ' … ';
			yield { type: 'text', text: joint + APOLOGY[failure.kind] };
			return;
		}
		await this.#remember(request, answer);
		if (!signal.aborted) yield { type: 'mood', mood: guessMood(answer) };
	}

	/** Streams the completion; if the model refuses an image part, retries once in words. */
	async *#complete(
		request: BrainRequest,
		history: ChatTurn[],
		signal: AbortSignal
	): AsyncGenerator<string> {
		const image = request.image;
		const withImage = image !== undefined && this.#vision;
		try {
			yield* streamCompletion(this.#messages(request, history, withImage), this.#options, signal);
		} catch (error) {
			const refusedImage =
				withImage &&
				error instanceof BrainFailure &&
				error.status !== undefined &&
				[400, 415, 422].includes(error.status);
			if (!refusedImage) throw error;
			this.#vision = false;
			yield* streamCompletion(this.#messages(request, history, false), this.#options, signal);
		}
	}

	#messages(request: BrainRequest, history: ChatTurn[], withImage: boolean): ChatTurn[] {
		const system = `${this.#options.systemPrompt}\n\n${factsLine(request.facts, request.now)}`;
		return [{ role: 'system', content: system }, ...history, userTurn(request, withImage)];
	}

	/** Adds the question and its answer; a history that cannot be written is only logged. */
	async #remember(request: BrainRequest, answer: string): Promise<void> {
		const turns: ChatTurn[] = [
			{ role: 'user', content: request.input.text },
			{ role: 'assistant', content: answer || '…' }
		];
		try {
			await this.#history.append(request.clientId, turns, this.#options.maxHistory);
		} catch (error) {
			this.#options.onFailure?.(
				request.clientId,
				new BrainFailure('unreachable', `history not kept: ${String(error)}`)
			);
		}
	}

	/** The client's kept turns; without them (the store unreachable) the model gets none. */
	async #historyOf(clientId: string): Promise<ChatTurn[]> {
		try {
			return await this.#history.load(clientId);
		} catch (error) {
			this.#options.onFailure?.(
				clientId,
				new BrainFailure('unreachable', `history not read: ${String(error)}`)
			);
			return [];
		}
	}
}

/** The user's turn: the words, with the still that came with them as an image part. */
function userTurn(request: BrainRequest, withImage: boolean): ChatTurn {
	const ask = request.input.text;
	const image = request.image;
	if (!image) return { role: 'user', content: ask };
	if (withImage) {
		return {
			role: 'user',
			content: [
				{ type: 'text', text: ask },
				{ type: 'image_url', image_url: { url: dataUrl(image) } }
			]
		};
	}
	// A text-only model still gets what the pixels say.
	return {
		role: 'user',
		content: `${ask} (A camera still came with this; it could not be attached. Measured from its pixels: ${describeImage(image).text})`
	};
}

function dataUrl(image: ImageInput): string {
	return `data:${image.mime};base64,${image.data}`;
}

/** The connection facts, for questions like "how is the connection?". */
function factsLine(facts: ConnectionFacts, now: Date): string {
	const open = facts.state === 'open' && facts.connectedAt !== undefined;
	const connection = open
		? `connected for ${duration(now.getTime() - (facts.connectedAt ?? 0))}, ${facts.pingsSent} pings sent, ${facts.pongsReceived} answered` +
			(facts.lastRttMs === undefined ? '' : `, last round trip ${facts.lastRttMs} ms`)
		: 'not connected';
	return `Facts you may use: the time is ${now.toISOString()}; the user's connection: ${connection}; client id ${facts.clientId}.`;
}
