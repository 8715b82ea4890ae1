/**
 * A Server-Sent Events reader (the `text/event-stream` format of the WHATWG HTML spec, as
 * OpenAI-compatible endpoints stream with `stream: true`): yields the `data` of each event.
 */

/** Yields each event's data (multi-line data joined with "\n"), in order, until the body ends. */
export async function* readSseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
	const reader = body.getReader();
	const decoder = new TextDecoder();
	let buffer = '';
	let data: string[] = [];
	try {
		for (;;) {
			const { done, value } = await reader.read();
			buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
			for (;;) {
				const end = lineEnd(buffer, done);
				if (!end) break;
				const line = buffer.slice(0, end.at);
				buffer = buffer.slice(end.at + end.length);
				if (line === '') {
					if (data.length) yield data.join('\n');
					data = [];
				} else if (!line.startsWith(':')) {
					const colon = line.indexOf(':');
					const field = colon < 0 ? line : line.slice(0, colon);
					if (field === 'data') data.push(colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, ''));
				}
			}
			if (done) break;
		}
		if (buffer !== '' && buffer.startsWith('data:')) data.push(buffer.slice(5).replace(/^ /, ''));
		if (data.length) yield data.join('\n');
	} finally {
		reader.releaseLock();
	}
}

/** Where the first line ends (CRLF, LF or CR). A trailing CR waits for more, unless `final`. */
function lineEnd(buffer: string, final: boolean): { at: number; length: number } | undefined {
	const at = buffer.search(/[\r\n]/);
	if (at < 0) return undefined;
	if (buffer[at] === '\n') return { at, length: 1 };
	if (at + 1 < buffer.length) return { at, length: buffer[at + 1] === '\n' ? 2 : 1 };
	return final ? { at, length: 1 } : undefined;
}
