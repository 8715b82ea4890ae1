/**
 * Cuts streamed answer text into sentences as it arrives, so speech can start with the first
 * sentence instead of waiting for the whole answer. Each sentence keeps its offset in the full
 * text, for highlighting the spoken word in the caption.
 */

/** A sentence and where it starts in the whole streamed text. */
export interface Sentence {
	text: string;
	offset: number;
}

/** Sentence end: terminal punctuation (plus closing quotes or brackets) before white space, or a
 * line break. Punctuation at the very end of the text is not an end yet: "3." may become "3.5". */
const SENTENCE_END = /[.!?…]+["'”’)\]]*(?=\s)|\n/g;
/** Past this length a sentence without an end is cut at a comma or a space, to keep speaking. */
const MAX_SENTENCE = 200;
/** ... but no shorter than this. */
const MIN_CUT = 60;

/** Where to cut `text` (from `from`) when it has run on too long; -1 to keep waiting. */
function runOnCut(text: string, from: number): number {
	if (text.length - from <= MAX_SENTENCE) return -1;
	const window = text.slice(from, from + MAX_SENTENCE);
	const comma = Math.max(window.lastIndexOf(', '), window.lastIndexOf('; '));
	if (comma >= MIN_CUT) return from + comma + 1;
	const space = window.lastIndexOf(' ');
	return from + (space >= MIN_CUT ? space : MAX_SENTENCE);
}

/** Splits a growing text into sentences. */
export class SentenceSplitter {
	#text = '';
	#consumed = 0;

	/** The whole text pushed so far. */
	get text(): string {
		return this.#text;
	}

	/** Adds `delta`; returns the sentences it completed, in order. */
	push(delta: string): Sentence[] {
		this.#text += delta;
		const out: Sentence[] = [];
		for (;;) {
			SENTENCE_END.lastIndex = this.#consumed;
			const match = SENTENCE_END.exec(this.#text);
			const found = match ? match.index + match[0].length : -1;
			const end =
				found >= 0 && found - this.#consumed <= MAX_SENTENCE
					? found
					: runOnCut(this.#text, this.#consumed);
			if (end < 0) return out;
			this.#take(end, out);
		}
	}

	/** Returns whatever is left as a last sentence (the answer is complete). */
	flush(): Sentence[] {
		const out: Sentence[] = [];
		this.#take(this.#text.length, out);
		return out;
	}

	/** Forgets everything (a new answer starts). */
	reset(): void {
		this.#text = '';
		this.#consumed = 0;
	}

	#take(end: number, out: Sentence[]): void {
		const raw = this.#text.slice(this.#consumed, end);
		const lead = raw.length - raw.trimStart().length;
		const text = raw.trim();
		if (text) out.push({ text, offset: this.#consumed + lead });
		this.#consumed = end;
	}
}
