import { describe, expect, it } from 'vitest';
import { wordToVisemes } from '$lib/avatar/lipsync/letter-rules';
import { VISEMES } from '$lib/avatar/lipsync/visemes';

/** Whether `wanted` occur in `visemes` in this order (other visemes may sit between). */
function inOrder(visemes: string[], wanted: string[]): boolean {
	let at = 0;
	for (const v of visemes) if (v === wanted[at]) at++;
	return at === wanted.length;
}

describe('wordToVisemes', () => {
	it('gives "hello" an E, then nn, then O', () => {
		expect(inOrder(wordToVisemes('hello'), ['E', 'nn', 'O'])).toBe(true);
	});

	it('starts and ends "mom" with closed lips', () => {
		const visemes = wordToVisemes('mom');
		expect(visemes[0]).toBe('PP');
		expect(visemes.at(-1)).toBe('PP');
	});

	it('gives "see" SS then I', () => {
		expect(wordToVisemes('see')).toEqual(['SS', 'I']);
	});

	it('gives "father" FF and aa', () => {
		expect(inOrder(wordToVisemes('father'), ['FF', 'aa', 'TH'])).toBe(true);
	});

	it('starts "think" with TH and ends it with kk', () => {
		const visemes = wordToVisemes('think');
		expect(visemes[0]).toBe('TH');
		expect(visemes.at(-1)).toBe('kk');
	});

	it('keeps silent letters silent', () => {
		expect(wordToVisemes('knight')[0]).toBe('nn');
		expect(wordToVisemes('make').at(-1)).toBe('kk');
	});

	it('reads c soft before e, i and y and hard elsewhere', () => {
		expect(wordToVisemes('city')[0]).toBe('SS');
		expect(wordToVisemes('cat')[0]).toBe('kk');
	});

	it('reads sh and ch as CH', () => {
		expect(wordToVisemes('ship')[0]).toBe('CH');
		expect(wordToVisemes('chin')[0]).toBe('CH');
	});

	it('does not care about case and skips characters that are not letters', () => {
		expect(wordToVisemes('SEE')).toEqual(wordToVisemes('see'));
		expect(wordToVisemes('see!')).toEqual(['SS', 'I']);
	});

	it('only ever produces the 15 Oculus visemes', () => {
		const text = 'the quick brown fox jumps over the lazy dog while zebras quietly vex';
		const seen = new Set(text.split(' ').flatMap(wordToVisemes));
		for (const viseme of seen) expect(VISEMES).toContain(viseme);
	});

	it('returns nothing for an empty word', () => {
		expect(wordToVisemes('')).toEqual([]);
	});
});
