import { describe, expect, it } from 'vitest';
import { guessMood } from '../../src/lib/server/brain/mood';
import { readSseData } from '../../src/lib/server/brain/sse';
import { chunkWords, pause } from '../../src/lib/server/brain/stream-text';

/** A body that delivers the text in the given pieces (split anywhere, even inside a character). */
function body(pieces: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	return new ReadableStream({
		start(controller) {
			for (const piece of pieces)
				controller.enqueue(typeof piece === 'string' ? encoder.encode(piece) : piece);
			controller.close();
		}
	});
}

async function events(stream: ReadableStream<Uint8Array>): Promise<string[]> {
	const out: string[] = [];
	for await (const data of readSseData(stream)) out.push(data);
	return out;
}

describe('readSseData', () => {
	it('yields the data of each event, ignoring comments and other fields', async () => {
		expect(
			await events(body([': hello\n\nevent: x\nid: 1\ndata: {"a":1}\n\ndata: [DONE]\n\n']))
		).toEqual(['{"a":1}', '[DONE]']);
	});

	it('joins multi-line data and strips one leading space only', async () => {
		expect(await events(body(['data:  two spaces\ndata:none\n\n']))).toEqual([' two spaces\nnone']);
	});

	it('handles CRLF and CR line ends, also split between chunks', async () => {
		expect(await events(body(['data: a\r', '\n\r\ndata: b\r\r']))).toEqual(['a', 'b']);
	});

	it('handles events and multi-byte characters split across chunks', async () => {
		const bytes = new TextEncoder().encode('data: héllo ✓\n\n');
		expect(
			await events(body([bytes.subarray(0, 8), bytes.subarray(8, 16), bytes.subarray(16)]))
		).toEqual(['héllo ✓']);
	});

	it('yields a last event that has no blank line after it', async () => {
		expect(await events(body(['data: first\n\ndata: last']))).toEqual(['first', 'last']);
	});
});

describe('streaming helpers', () => {
	it('chunks text into phrases that keep their spacing', () => {
		expect(chunkWords('one two  three four', 3)).toEqual(['one two  three ', 'four']);
		expect(chunkWords('one two', 1)).toEqual(['one ', 'two']);
		expect(chunkWords('   ', 3)).toEqual([]);
	});

	it('pause resolves false at once when aborted', async () => {
		const controller = new AbortController();
		const paused = pause(60_000, controller.signal);
		controller.abort();
		expect(await paused).toBe(false);
	});

	it.each([
		['Sorry, I cannot do that.', 'concerned'],
		['Great to see you!', 'happy'],
		['Maybe it will rain?', 'thinking'],
		['The sky is blue.', 'neutral']
	])('guesses the mood of "%s" as %s', (text, mood) => {
		expect(guessMood(text)).toBe(mood);
	});
});
