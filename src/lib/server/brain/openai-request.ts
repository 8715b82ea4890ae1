/**
 * One streaming call to an OpenAI-compatible `POST /chat/completions`: yields the content
 * deltas, and turns every failure (unreachable, HTTP error, silence) into a BrainFailure.
 */
import { readSseData } from './sse';

export type ContentPart =
	{ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export interface ChatTurn {
	role: 'system' | 'user' | 'assistant';
	content: string | ContentPart[];
}

export interface CompletionOptions {
	baseUrl: string;
	model: string;
	apiKey: string;
	/** Longest silence from the endpoint (before the headers or between chunks). */
	timeoutMs: number;
}

export type FailureKind = 'unreachable' | 'unauthorized' | 'rejected' | 'timeout' | 'bad_response';

/** Why the model could not answer; `status` is the HTTP status where there was one. */
export class BrainFailure extends Error {
	constructor(
		readonly kind: FailureKind,
		message: string,
		readonly status?: number
	) {
		super(message);
		this.name = 'BrainFailure';
	}
}

/** Streams the assistant's text for `messages`. Returns quietly when `signal` aborts. */
export async function* streamCompletion(
	messages: ChatTurn[],
	options: CompletionOptions,
	signal: AbortSignal
): AsyncGenerator<string> {
	const idle = new IdleTimeout(options.timeoutMs, signal);
	try {
		const response = await post(messages, options, idle);
		if ((response.headers.get('content-type') ?? '').includes('application/json')) {
			// Some servers ignore `stream: true` and answer in one piece.
			const body = (await response.json()) as CompletionChunk;
			const text = body.choices?.[0]?.message?.content;
			if (typeof text !== 'string')
				throw new BrainFailure('bad_response', 'The model answered without text');
			yield text;
			return;
		}
		if (!response.body) throw new BrainFailure('bad_response', 'The model answered with no body');
		for await (const data of readSseData(response.body)) {
			idle.reset();
			if (data.trim() === '[DONE]') return;
			const piece = contentOf(data);
			if (piece) yield piece;
		}
	} catch (error) {
		if (signal.aborted) return;
		if (idle.fired)
			throw new BrainFailure('timeout', `No answer from the model for ${options.timeoutMs} ms`);
		throw error instanceof BrainFailure ? error : new BrainFailure('unreachable', reason(error));
	} finally {
		idle.dispose();
	}
}

async function post(
	messages: ChatTurn[],
	options: CompletionOptions,
	idle: IdleTimeout
): Promise<Response> {
	const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
	const headers: Record<string, string> = {
		'content-type': 'application/json',
		accept: 'text/event-stream'
	};
	if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
	const response = await fetch(url, {
		method: 'POST',
		headers,
		body: JSON.stringify({ model: options.model, messages, stream: true }),
		signal: idle.signal
	});
	idle.reset();
	if (response.ok) return response;
	const detail = (await response.text().catch(() => '')).slice(0, 300);
	const kind = response.status === 401 || response.status === 403 ? 'unauthorized' : 'rejected';
	throw new BrainFailure(
		kind,
		`The model endpoint answered ${response.status} ${detail}`.trim(),
		response.status
	);
}

interface CompletionChunk {
	choices?: { delta?: { content?: unknown }; message?: { content?: unknown } }[];
	error?: { message?: unknown };
}

/** The text of one streamed chunk; an `error` chunk becomes a BrainFailure. */
function contentOf(data: string): string {
	let chunk: CompletionChunk;
	try {
		chunk = JSON.parse(data) as CompletionChunk;
	} catch {
		throw new BrainFailure('bad_response', 'The model streamed something that is not JSON');
	}
	if (chunk.error)
		throw new BrainFailure(
			'rejected',
			`The model reported: ${String(chunk.error.message ?? 'an error')}`
		);
	const content = chunk.choices?.[0]?.delta?.content;
	return typeof content === 'string' ? content : '';
}

function reason(error: unknown): string {
	if (!(error instanceof Error)) return 'The model endpoint cannot be reached';
	const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
	return `The model endpoint cannot be reached (${error.message}${cause})`;
}

/** An abort signal that fires after `ms` without `reset()`, or when the outer signal aborts. */
class IdleTimeout {
	readonly #controller = new AbortController();
	readonly #timer: ReturnType<typeof setTimeout>;
	readonly #outer: AbortSignal;
	readonly #onOuterAbort = () => this.#controller.abort();
	fired = false;

	constructor(ms: number, outer: AbortSignal) {
		this.#outer = outer;
		this.#timer = setTimeout(() => {
			this.fired = true;
			this.#controller.abort();
		}, ms);
		outer.addEventListener('abort', this.#onOuterAbort, { once: true });
		if (outer.aborted) this.#controller.abort();
	}

	get signal(): AbortSignal {
		return this.#controller.signal;
	}

	reset(): void {
		this.#timer.refresh();
	}

	/** Stops the timer and cancels whatever is still in flight (a body nobody will read). */
	dispose(): void {
		clearTimeout(this.#timer);
		this.#outer.removeEventListener('abort', this.#onOuterAbort);
		this.#controller.abort();
	}
}
