import { describe, expect, it } from 'vitest';
import { integerWords, numberWords } from '$lib/avatar/lipsync/number-words';
import { pauseUnits, textToWords, tokenVisemes } from '$lib/avatar/lipsync/text-to-visemes';

describe('numberWords', () => {
	it('spells whole numbers', () => {
		expect(integerWords('0')).toBe('zero');
		expect(integerWords('42')).toBe('forty two');
		expect(integerWords('1200')).toBe('one thousand two hundred');
		expect(integerWords('3000015')).toBe('three million fifteen');
	});

	it('reads thousands commas and a decimal point', () => {
		expect(numberWords('1,250.5')).toBe('one thousand two hundred fifty point five');
	});

	it('reads leading zeros and very long numbers digit by digit', () => {
		expect(integerWords('007')).toBe('zero zero seven');
		expect(integerWords('1234567890123')).toHaveLength(
			'one two three four five six seven eight nine zero one two three'.length
		);
	});
});

describe('textToWords', () => {
	it('keeps each word with the index where it starts in the text', () => {
		const words = textToWords('Hello, world. Bye');
		expect(words.map((w) => [w.text, w.charIndex])).toEqual([
			['Hello', 0],
			['world', 7],
			['Bye', 14]
		]);
	});

	it('turns a space into a pause of 1, a comma into 3 more, a sentence end into a longer one', () => {
		const [hello, world, bye] = textToWords('Hello, world. Bye and you');
		expect(pauseUnits(' ')).toBe(1);
		expect(hello?.pauseAfter).toBe(4);
		expect(world?.pauseAfter).toBeGreaterThan(hello?.pauseAfter ?? Infinity);
		expect(bye?.pauseAfter).toBe(1);
	});

	it('ends with the pause of the trailing punctuation', () => {
		expect(textToWords('Done.').at(-1)?.pauseAfter).toBe(6);
		expect(textToWords('Done').at(-1)?.pauseAfter).toBe(0);
	});

	it('speaks a number as its words but keeps the digits as the word text', () => {
		const [number] = textToWords('42 cats');
		expect(number?.text).toBe('42');
		const spelled = [...tokenVisemes('forty'), ...tokenVisemes('two')];
		expect(number?.visemes).toEqual(spelled);
	});

	it('reads symbols as words and keeps contractions whole', () => {
		expect(textToWords('you & me').map((w) => w.text)).toEqual(['you', '&', 'me']);
		expect(tokenVisemes('&')).toEqual(tokenVisemes('and'));
		expect(textToWords('don’t stop').map((w) => w.text)).toEqual(['don’t', 'stop']);
	});

	it('merges a repeated viseme into one longer one', () => {
		const only = tokenVisemes('only').map((v) => v.viseme);
		expect(only).toEqual(['O', 'nn', 'I']);
	});

	it('gives a word with no known sound a silent slot, so the caption still moves', () => {
		expect(tokenVisemes('日本')).toEqual([{ viseme: 'sil', units: 2 }]);
	});
});
