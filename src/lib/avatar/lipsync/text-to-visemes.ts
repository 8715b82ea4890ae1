/**
 * Text to spoken words: splits a sentence into words (keeping where each starts in the text, for
 * `boundary` events and karaoke), spells numbers and a few symbols out, runs the letter rules,
 * and turns the punctuation after each word into a pause, all in relative duration units.
 */
import { wordToVisemes } from './letter-rules';
import { numberWords } from './number-words';
import { VISEME_UNITS, type Viseme } from './visemes';

/** One viseme of a word and how long it lasts, in relative units. */
export interface VisemeUnit {
	viseme: Viseme;
	units: number;
}

/** One word as it will be spoken. */
export interface SpokenWord {
	/** The word as written in the text ("42", "don't"). */
	text: string;
	/** Index of its first character in the text. */
	charIndex: number;
	visemes: VisemeUnit[];
	/** Pause after the word, in units (space 1, comma 3, sentence end 6). */
	pauseAfter: number;
}

/** Pause of each separator character, in units (TalkingHead: space 1, comma 3). */
const PAUSE_UNITS: Readonly<Record<string, number>> = {
	' ': 1,
	'\t': 1,
	'\n': 2,
	',': 3,
	';': 3,
	':': 3,
	'-': 0.5,
	'—': 3,
	'–': 3,
	'(': 1,
	')': 1,
	'.': 6,
	'!': 6,
	'?': 6,
	'…': 6
};
/** Longest pause between two words, so "?!..." does not stall the mouth. */
const MAX_PAUSE = 8;
/** A repeated viseme ("nn nn" in "only") lengthens the first instead of closing and reopening. */
const REPEAT_FACTOR = 0.7;
/** A word the rules give no sound for still takes this long, so captions keep moving. */
const SILENT_WORD_UNITS = 2;

/** Symbols a voice reads as words. */
const SYMBOL_WORDS: Readonly<Record<string, string>> = {
	'&': 'and',
	'%': 'percent',
	'+': 'plus',
	'=': 'equals',
	'@': 'at',
	$: 'dollars',
	'€': 'euros',
	'£': 'pounds'
};

/** A number (with thousands commas and a decimal point), a word, or a spoken symbol. */
const TOKEN =
	/\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*|[&%+=@$€£]/gu;

/** Letters without accents, upper case, only A-Z and apostrophes kept. */
function plainLetters(word: string): string {
	return word
		.normalize('NFD')
		.toUpperCase()
		.replace(/’/g, "'")
		.replace(/[^A-Z']/g, '');
}

/** The words a token is read as. */
function readAs(token: string): string[] {
	const symbol = SYMBOL_WORDS[token];
	if (symbol) return [symbol];
	if (/^\d/.test(token)) return numberWords(token).split(' ');
	return [plainLetters(token)];
}

/** Visemes with durations for a token, neighbouring repeats merged. */
export function tokenVisemes(token: string): VisemeUnit[] {
	const out: VisemeUnit[] = [];
	for (const word of readAs(token)) {
		for (const viseme of wordToVisemes(word)) {
			const last = out[out.length - 1];
			const units = VISEME_UNITS[viseme];
			if (last && last.viseme === viseme) last.units += REPEAT_FACTOR * units;
			else out.push({ viseme, units });
		}
	}
	if (out.length === 0) out.push({ viseme: 'sil', units: SILENT_WORD_UNITS });
	return out;
}

/** The pause made by the characters between two words. */
export function pauseUnits(separator: string): number {
	let units = 0;
	for (const c of separator) units += PAUSE_UNITS[c] ?? 0;
	return Math.min(units, MAX_PAUSE);
}

/** Splits `text` into the words a voice would say, with their visemes and following pauses. */
export function textToWords(text: string): SpokenWord[] {
	const words: SpokenWord[] = [];
	for (const match of text.matchAll(TOKEN)) {
		const token = match[0];
		const charIndex = match.index ?? 0;
		const previous = words[words.length - 1];
		if (previous) {
			previous.pauseAfter = pauseUnits(
				text.slice(previous.charIndex + previous.text.length, charIndex)
			);
		}
		words.push({ text: token, charIndex, visemes: tokenVisemes(token), pauseAfter: 0 });
	}
	const last = words[words.length - 1];
	if (last) last.pauseAfter = pauseUnits(text.slice(last.charIndex + last.text.length));
	return words;
}
