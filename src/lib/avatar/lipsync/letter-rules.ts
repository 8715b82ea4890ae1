/**
 * The letter-to-sound rule engine: parses `left[LETTERS]right=visemes` rules once and applies
 * them to one word, left to right, the way NRL Report 7948 describes. Context patterns are
 * matched by hand, outward from the letters (the left one right-to-left), greedily and without
 * backtracking, as the report's own program did.
 */
import { ENGLISH_RULES } from './english-rules';
import { isViseme, type Viseme } from './visemes';

/** One parsed rule. */
interface Rule {
	left: string;
	letters: string;
	right: string;
	visemes: Viseme[];
}

const VOWELS = 'AEIOU';
const VOICED = 'BDVGJLMNRWZ';
const FRONT = 'EIY';
/** Suffixes for '%', longest first so "ING" wins over "E"-less alternatives. */
const SUFFIXES = ['ING', 'ELY', 'ER', 'ES', 'ED', 'E'];
const SIBILANTS = 'SCGZXJ';
const ALVEOLARS = 'TSRDLZNJ';

const isLetter = (c: string | undefined) => c !== undefined && c >= 'A' && c <= 'Z';
const isVowel = (c: string | undefined) => c !== undefined && VOWELS.includes(c);
const isConsonant = (c: string | undefined) => isLetter(c) && !isVowel(c);
const inSet = (set: string, c: string | undefined) =>
	c !== undefined && c !== '' && set.includes(c);

/** Parses one rule string; throws on a malformed rule (a bug in the table, found at load). */
function parseRule(source: string): Rule {
	const match = /^([^[]*)\[([^\]]+)\]([^=]*)=(.*)$/.exec(source);
	if (!match) throw new Error(`Malformed letter rule: ${source}`);
	const [, left = '', letters = '', right = '', output = ''] = match;
	const names = output.split(' ').filter(Boolean);
	const visemes = names.filter(isViseme);
	if (visemes.length !== names.length) throw new Error(`Unknown viseme in rule: ${source}`);
	return { left, letters, right, visemes };
}

const RULES: ReadonlyMap<string, readonly Rule[]> = new Map(
	Object.entries(ENGLISH_RULES).map(([letter, rules]) => [letter, rules.map(parseRule)])
);

/** Matches the right context `pattern` starting at `pos`; returns whether it fits. */
function matchRight(pattern: string, text: string, start: number): boolean {
	let pos = start;
	for (const symbol of pattern) {
		const c = text[pos];
		switch (symbol) {
			case ' ':
				if (isLetter(c)) return false;
				pos++;
				break;
			case '#':
				if (!isVowel(c)) return false;
				while (isVowel(text[pos])) pos++;
				break;
			case ':':
				while (isConsonant(text[pos])) pos++;
				break;
			case '^':
				if (!isConsonant(c)) return false;
				pos++;
				break;
			case '.':
				if (!inSet(VOICED, c)) return false;
				pos++;
				break;
			case '+':
				if (!inSet(FRONT, c)) return false;
				pos++;
				break;
			case '%': {
				const suffix = SUFFIXES.find((s) => text.startsWith(s, pos));
				if (!suffix) return false;
				pos += suffix.length;
				break;
			}
			default:
				if (c !== symbol) return false;
				pos++;
		}
	}
	return true;
}

/** Whether a two-letter digraph ending in H (CH, SH, TH) ends at `pos`. */
function digraphEndsAt(text: string, pos: number, firsts: string): boolean {
	return text[pos] === 'H' && inSet(firsts, text[pos - 1]);
}

/** Matches the left context `pattern` ending just before `end`, reading leftwards. */
function matchLeft(pattern: string, text: string, end: number): boolean {
	let pos = end - 1;
	for (let i = pattern.length - 1; i >= 0; i--) {
		const symbol = pattern[i];
		const c = text[pos];
		switch (symbol) {
			case ' ':
				if (isLetter(c)) return false;
				pos--;
				break;
			case '#':
				if (!isVowel(c)) return false;
				while (isVowel(text[pos])) pos--;
				break;
			case ':':
				while (isConsonant(text[pos])) pos--;
				break;
			case '^':
				if (!isConsonant(c)) return false;
				pos--;
				break;
			case '.':
				if (!inSet(VOICED, c)) return false;
				pos--;
				break;
			case '+':
				if (!inSet(FRONT, c)) return false;
				pos--;
				break;
			case '&':
				if (digraphEndsAt(text, pos, 'CS')) pos -= 2;
				else if (inSet(SIBILANTS, c)) pos--;
				else return false;
				break;
			case '@':
				if (digraphEndsAt(text, pos, 'TCS')) pos -= 2;
				else if (inSet(ALVEOLARS, c)) pos--;
				else return false;
				break;
			default:
				if (c !== symbol) return false;
				pos--;
		}
	}
	return true;
}

/**
 * The visemes of one word (letters A-Z and apostrophes; other characters are skipped), in order.
 * Silent letters add nothing; repeats are kept (the timeline merges neighbours).
 */
export function wordToVisemes(word: string): Viseme[] {
	const text = ` ${word.toUpperCase()} `;
	const out: Viseme[] = [];
	let pos = 1;
	while (pos < text.length - 1) {
		const rules = RULES.get(text[pos] ?? '');
		const rule = rules?.find(
			(r) =>
				text.startsWith(r.letters, pos) &&
				matchLeft(r.left, text, pos) &&
				matchRight(r.right, text, pos + r.letters.length)
		);
		if (!rule) {
			pos++;
			continue;
		}
		out.push(...rule.visemes);
		pos += rule.letters.length;
	}
	return out;
}
