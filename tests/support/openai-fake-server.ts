/**
 * A small OpenAI-compatible chat-completions server on loopback, for testing the `openai` brain
 * over real HTTP and the real SSE format. Each test scripts how it answers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake answers one request. */
export type FakeAnswer =
	/** Streams these content pieces as SSE chunks, then `[DONE]`. `stallAfter`: stop sending (no end) after that many. */
	| { kind: 'stream'; pieces: string[]; delayMs?: number; stallAfter?: number }
	/** One JSON body, as servers that ignore `stream: true` do. */
	| { kind: 'json'; content: string }
	/** An HTTP error with an OpenAI-style error body. */
	| { kind: 'status'; status: number; message: string }
	/** Accepts the request and never answers. */
	| { kind: 'hang' };

export interface RecordedRequest {
	path: string;
	headers: http.IncomingHttpHeaders;
	body: {
		model: string;
		stream: boolean;
		messages: {
			role: string;
			content: string | { type: string; text?: string; image_url?: { url: string } }[];
		}[];
	};
	/** Set once the client went away (abort, timeout) before the answer ended. */
	aborted: boolean;
}

export interface FakeOpenAiServer {
	/** e.g. http://127.0.0.1:1234/v1, for LLM_BASE_URL */
	baseUrl: string;
	requests: RecordedRequest[];
	/** The answer for the next requests (default: a short stream). */
	answer: (request: RecordedRequest) => FakeAnswer;
	close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeOpenAiServer(): Promise<FakeOpenAiServer> {
	const sockets = new Set<import('node:net').Socket>();
	const fake: FakeOpenAiServer = {
		baseUrl: '',
		requests: [],
		answer: () => ({ kind: 'stream', pieces: ['Hello', ' there', '!'] }),
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(resolve));
		}
	};
	const server = http.createServer((req, res) => {
		let raw = '';
		req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
		req.on('end', () => {
			if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
				res.writeHead(404).end();
				return;
			}
			const recorded: RecordedRequest = {
				path: req.url,
				headers: req.headers,
				body: JSON.parse(raw) as RecordedRequest['body'],
				aborted: false
			};
			fake.requests.push(recorded);
			res.on('close', () => {
				if (!res.writableFinished) recorded.aborted = true;
			});
			void respond(res, fake.answer(recorded));
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
	return fake;
}

async function respond(res: http.ServerResponse, answer: FakeAnswer): Promise<void> {
	switch (answer.kind) {
		case 'hang':
			return;
		case 'status':
			res.writeHead(answer.status, { 'content-type': 'application/json' });
			res.end(
				JSON.stringify({ error: { message: answer.message, type: 'invalid_request_error' } })
			);
			return;
		case 'json':
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(
				JSON.stringify({
					choices: [
						{
							index: 0,
							message: { role: 'assistant', content: answer.content },
							finish_reason: 'stop'
						}
					]
				})
			);
			return;
		case 'stream': {
			res.writeHead(200, {
				'content-type': 'text/event-stream',
				'cache-control': 'no-cache',
				connection: 'keep-alive'
			});
			res.write(': a comment line, which clients ignore\n\n');
			res.write(
				`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant' } }] })}\n\n`
			);
			for (const [i, piece] of answer.pieces.entries()) {
				if (answer.stallAfter !== undefined && i >= answer.stallAfter) return;
				if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
				if (res.destroyed) return;
				res.write(
					`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`
				);
			}
			res.write(
				`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`
			);
			res.end('data: [DONE]\n\n');
		}
	}
}
