import { describe, expect, it } from 'vitest';
import { SentenceSplitter } from '$lib/speech/sentences';
import { learnRate, MAX_MS_PER_UNIT } from '$lib/speech/speech-rate';
import { pickVoice } from '$lib/speech/voices';

describe('SentenceSplitter', () => {
	it('returns a sentence as soon as the text after its full stop begins', () => {
		const splitter = new SentenceSplitter();
		expect(splitter.push('Hello there.')).toEqual([]);
		expect(splitter.push(' How')).toEqual([{ text: 'Hello there.', offset: 0 }]);
		expect(splitter.push(' are you? Fine')).toEqual([{ text: 'How are you?', offset: 13 }]);
		expect(splitter.flush()).toEqual([{ text: 'Fine', offset: 26 }]);
	});

	it('does not cut a decimal number that arrives in two pieces', () => {
		const splitter = new SentenceSplitter();
		expect(splitter.push('It costs 3.')).toEqual([]);
		expect(splitter.push('5 euros! Yes')).toEqual([{ text: 'It costs 3.5 euros!', offset: 0 }]);
	});

	it('ends a sentence at a line break and keeps closing quotes with it', () => {
		const splitter = new SentenceSplitter();
		const sentences = splitter.push('A list\n"Go now." Then');
		expect(sentences.map((s) => s.text)).toEqual(['A list', '"Go now."']);
	});

	it('cuts a run-on sentence at a comma so speech does not wait for it', () => {
		const splitter = new SentenceSplitter();
		const long = `${'word '.repeat(20)}, ${'more '.repeat(40)}`;
		const [first] = splitter.push(long);
		expect(first?.text.endsWith(',')).toBe(true);
		expect(first?.offset).toBe(0);
	});

	it('forgets everything on reset', () => {
		const splitter = new SentenceSplitter();
		splitter.push('Half a sent');
		splitter.reset();
		expect(splitter.flush()).toEqual([]);
		expect(splitter.text).toBe('');
	});
});

describe('pickVoice', () => {
	const voice = (name: string, lang: string, localService = false, isDefault = false) => ({
		name,
		lang,
		localService,
		default: isDefault
	});

	it('prefers an English voice, then the wanted accent, then a local one', () => {
		const voices = [
			voice('Français', 'fr-FR', true, true),
			voice('Network UK', 'en-GB'),
			voice('Local UK', 'en_GB', true),
			voice('Network US', 'en-US')
		];
		expect(pickVoice(voices, 'en-GB')?.name).toBe('Local UK');
		expect(pickVoice(voices, 'en-US')?.name).toBe('Network US');
	});

	it('falls back to the default voice when none is English, and to null when there are none', () => {
		expect(pickVoice([voice('A', 'de-DE'), voice('B', 'fr-FR', false, true)])?.name).toBe('B');
		expect(pickVoice([])).toBeNull();
	});
});

describe('learnRate', () => {
	it('moves the rate towards what the voice really took', () => {
		const slower = learnRate(75, 10 * 120, 10);
		expect(slower).toBeGreaterThan(75);
		expect(slower).toBeLessThan(120);
		expect(learnRate(75, 10 * 50, 10)).toBeLessThan(75);
	});

	it('ignores short sentences and nonsense, and stays within bounds', () => {
		expect(learnRate(75, 5000, 1)).toBe(75);
		expect(learnRate(75, -3, 10)).toBe(75);
		expect(learnRate(190, 1e6, 10)).toBe(MAX_MS_PER_UNIT);
	});
});
