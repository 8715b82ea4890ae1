/** Helpers to stream a finished text in small pieces, so captions appear word by word. */

/** Splits text into chunks of about `wordsPerChunk` words, each keeping its trailing space. */
export function chunkWords(text: string, wordsPerChunk = 1): string[] {
	const words = text.match(/\S+\s*/g) ?? [];
	const chunks: string[] = [];
	for (let i = 0; i < words.length; i += wordsPerChunk) {
		chunks.push(words.slice(i, i + wordsPerChunk).join(''));
	}
	return chunks;
}

/** Waits `ms`, or less if `signal` aborts first. Resolves to false when aborted. */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
	if (signal.aborted) return Promise.resolve(false);
	if (ms <= 0) return Promise.resolve(true);
	return new Promise((resolve) => {
		const onAbort = () => {
			clearTimeout(timer);
			resolve(false);
		};
		const timer = setTimeout(() => {
			signal.removeEventListener('abort', onAbort);
			resolve(true);
		}, ms);
		signal.addEventListener('abort', onAbort, { once: true });
	});
}
