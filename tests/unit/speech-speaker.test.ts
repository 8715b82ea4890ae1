import { describe, expect, it } from 'vitest';
import { Speaker, type SpeakerOptions, type SpeakerWord } from '$lib/speech/speaker';
import type { SynthLike, UtteranceLike, VoiceLike } from '$lib/speech/synth-types';
import { VISEMES, type Viseme } from '$lib/avatar/lipsync/visemes';
import { TestClock } from '../support/test-clock';

/** An utterance that the test drives by emitting the browser's events. */
class FakeUtterance extends EventTarget implements UtteranceLike {
	lang = '';
	rate = 1;
	voice: VoiceLike | null = null;
	constructor(public text: string) {
		super();
	}

	emit(type: string, fields: Record<string, unknown> = {}): void {
		this.dispatchEvent(Object.assign(new Event(type), fields));
	}
}

/** `speechSynthesis` at the edge: records what it is asked to say; the test plays the voice. */
class FakeSynth extends EventTarget implements SynthLike {
	spoken: FakeUtterance[] = [];
	cancels = 0;
	constructor(public voices: VoiceLike[]) {
		super();
	}

	getVoices(): VoiceLike[] {
		return this.voices;
	}

	speak(utterance: UtteranceLike): void {
		this.spoken.push(utterance as FakeUtterance);
	}

	cancel(): void {
		this.cancels += 1;
		// Chrome reports the utterance it dropped as interrupted.
		this.spoken.at(-1)?.emit('error', { error: 'interrupted' });
	}

	setVoices(voices: VoiceLike[]): void {
		this.voices = voices;
		this.dispatchEvent(new Event('voiceschanged'));
	}
}

const ENGLISH: VoiceLike = { name: 'Local US', lang: 'en-US', localService: true, default: true };

function setUp(voices: VoiceLike[] | null, options: SpeakerOptions = {}) {
	const clock = new TestClock();
	const synth = voices ? new FakeSynth(voices) : null;
	const log: string[] = [];
	const words: (SpeakerWord | null)[] = [];
	const speaker = new Speaker({
		synth,
		createUtterance: (text) => new FakeUtterance(text),
		clock,
		onStart: () => log.push('start'),
		onEnd: (reason) => log.push(`end:${reason}`),
		onWord: (word) => words.push(word),
		...options
	});
	return { clock, synth, speaker, log, words };
}

/** The visemes shown while the clock runs `ms` in 10 ms steps. */
function visemesOver(speaker: Speaker, clock: TestClock, ms: number): Set<Viseme> {
	const seen = new Set<Viseme>();
	for (let t = 0; t < ms; t += 10) {
		seen.add(speaker.viseme());
		clock.advance(10);
	}
	return seen;
}

function allZero(speaker: Speaker): boolean {
	const weights = speaker.visemeWeights();
	return VISEMES.every((v) => weights[v] === 0);
}

describe('Speaker with a voice', () => {
	it('hands the first sentence to the voice before the answer is complete', () => {
		const { synth, speaker, log } = setUp([ENGLISH]);
		speaker.push('Hello there. How');
		expect(synth?.spoken.map((u) => u.text)).toEqual(['Hello there.']);
		expect(synth?.spoken[0]?.voice).toBe(ENGLISH);
		synth?.spoken[0]?.emit('start');
		expect(log).toEqual(['start']);
		expect(speaker.speaking).toBe(true);
		expect(speaker.audible).toBe(true);
	});

	it('speaks the sentences in order and reports the end after the last one', () => {
		const { synth, speaker, log } = setUp([ENGLISH]);
		speaker.push('One sentence. Two');
		speaker.push(' sentences.');
		speaker.end();
		synth?.spoken[0]?.emit('start');
		synth?.spoken[0]?.emit('end');
		expect(synth?.spoken.map((u) => u.text)).toEqual(['One sentence.', 'Two sentences.']);
		synth?.spoken[1]?.emit('start');
		synth?.spoken[1]?.emit('end');
		expect(log).toEqual(['start', 'end:done']);
		expect(speaker.active).toBe(false);
	});

	it('moves the caption to the word a boundary event names, located in the whole answer', () => {
		const { clock, synth, speaker } = setUp([ENGLISH]);
		speaker.speak('Hi. Where is the station?');
		synth?.spoken[0]?.emit('start');
		synth?.spoken[0]?.emit('end');
		synth?.spoken[1]?.emit('start');
		clock.advance(900);
		synth?.spoken[1]?.emit('boundary', { name: 'word', charIndex: 9 });
		expect(speaker.word).toEqual({ text: 'the', charIndex: 13, length: 3 });
		expect(speaker.viseme()).not.toBe('sil');
	});

	it('learns a slower rate from a voice that takes longer than estimated', () => {
		const { clock, synth, speaker } = setUp([ENGLISH], { msPerUnit: 60 });
		speaker.speak('This sentence is spoken rather slowly by the voice.');
		synth?.spoken[0]?.emit('start');
		clock.advance(8000);
		synth?.spoken[0]?.emit('end');
		expect(speaker.msPerUnit).toBeGreaterThan(60);
	});

	it('stops the voice and forgets the answer on cancel', () => {
		const { synth, speaker, log, words } = setUp([ENGLISH]);
		speaker.push('First sentence here. Second one');
		synth?.spoken[0]?.emit('start');
		speaker.cancel();
		speaker.cancel();
		expect(synth?.cancels).toBe(1);
		expect(log).toEqual(['start', 'end:cancelled']);
		expect(speaker.speaking).toBe(false);
		expect(speaker.word).toBeNull();
		expect(words.at(-1)).toBeNull();
		expect(allZero(speaker)).toBe(true);
		synth?.spoken[0]?.emit('end');
		speaker.end();
		expect(synth?.spoken).toHaveLength(1);
	});

	it('starts a fresh answer after a cancel', () => {
		const { synth, speaker } = setUp([ENGLISH]);
		speaker.push('Old answer. ');
		speaker.cancel();
		speaker.push('New answer. ');
		expect(synth?.spoken.map((u) => u.text)).toEqual(['Old answer.', 'New answer.']);
	});

	it('mouths the sentence silently when the voice never starts', () => {
		const { clock, synth, speaker, log } = setUp([ENGLISH], { startTimeoutMs: 1500 });
		speaker.speak('Nobody hears this.');
		clock.advance(1500);
		expect(synth?.cancels).toBe(1);
		expect(speaker.speaking).toBe(true);
		expect(speaker.audible).toBe(false);
		expect(visemesOver(speaker, clock, 5000).size).toBeGreaterThan(3);
		expect(log).toEqual(['start', 'end:done']);
	});

	it('carries on silently when the voice reports an error', () => {
		const { clock, synth, speaker, log } = setUp([ENGLISH]);
		speaker.speak('The browser blocks this voice.');
		synth?.spoken[0]?.emit('error', { error: 'not-allowed' });
		expect(speaker.speaking).toBe(true);
		clock.advance(10_000);
		expect(log).toEqual(['start', 'end:done']);
	});

	it('uses voices that load after it was made', () => {
		const { synth, speaker } = setUp([]);
		speaker.push('Silent first. ');
		synth?.setVoices([ENGLISH]);
		expect(speaker.voice).toBe(ENGLISH);
		expect(synth?.spoken).toHaveLength(0);
	});
});

describe('Speaker without a voice', () => {
	it('mouths the first sentence on the clock before the answer is complete', () => {
		const { clock, speaker, log, words } = setUp([]);
		speaker.push('Hello from a headless browser. More');
		expect(log).toEqual(['start']);
		expect(speaker.speaking).toBe(true);
		expect(speaker.audible).toBe(false);
		expect(visemesOver(speaker, clock, 600).size).toBeGreaterThan(3);
		expect(words.map((w) => w?.text)).toContain('from');
	});

	it('announces the start before the first word and the end after the last', () => {
		const clock = new TestClock();
		const events: string[] = [];
		const speaker = new Speaker({
			synth: null,
			clock,
			onStart: () => events.push('start'),
			onEnd: (reason) => events.push(`end:${reason}`),
			onWord: (word) => events.push(word?.text ?? 'no word')
		});
		speaker.speak('Hi you.');
		clock.advance(5000);
		expect(events).toEqual(['start', 'Hi', 'you', 'no word', 'end:done']);
	});

	it('moves the caption word by word and ends when the timeline is over', () => {
		const { clock, speaker, log, words } = setUp(null);
		speaker.speak('One two three. Four five.');
		clock.advance(20_000);
		expect(words.map((w) => w?.text ?? null)).toEqual([
			'One',
			'two',
			'three',
			'Four',
			'five',
			null
		]);
		expect(words[3]?.charIndex).toBe(15);
		expect(log).toEqual(['start', 'end:done']);
		expect(speaker.speaking).toBe(false);
		expect(allZero(speaker)).toBe(true);
	});

	it('waits between sentences for more text, then continues', () => {
		const { clock, speaker, log } = setUp([]);
		speaker.push('First part. ');
		clock.advance(10_000);
		expect(speaker.speaking).toBe(false);
		expect(speaker.active).toBe(true);
		speaker.push('Second part.');
		speaker.end();
		expect(speaker.speaking).toBe(true);
		clock.advance(10_000);
		expect(log).toEqual(['start', 'end:done']);
	});
});

describe('Speaker muted', () => {
	it('never uses the voice but still mouths the words', () => {
		const { clock, synth, speaker } = setUp([ENGLISH], { muted: true });
		speaker.speak('Quiet please, I am reading.');
		expect(synth?.spoken).toHaveLength(0);
		expect(visemesOver(speaker, clock, 800).size).toBeGreaterThan(3);
	});

	it('silences the voice at once and finishes the sentence on the clock', () => {
		const { clock, synth, speaker, log } = setUp([ENGLISH]);
		speaker.speak('Mute me in the middle of this sentence.');
		synth?.spoken[0]?.emit('start');
		clock.advance(300);
		speaker.muted = true;
		expect(synth?.cancels).toBe(1);
		expect(speaker.speaking).toBe(true);
		expect(speaker.audible).toBe(false);
		clock.advance(10_000);
		expect(log).toEqual(['start', 'end:done']);
	});

	it('speaks aloud again from the next sentence after unmuting', () => {
		const { synth, speaker } = setUp([ENGLISH], { muted: true });
		speaker.push('Muted sentence. ');
		speaker.muted = false;
		expect(synth?.spoken).toHaveLength(0);
		speaker.push('Loud sentence. ');
		expect(synth?.spoken).toHaveLength(0);
	});
});
