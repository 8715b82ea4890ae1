/**
 * One sentence being said: its lip-sync timeline, when it started, and the clock timers that
 * publish the current word and end it. Knows nothing of voices; the speaker tells it when the
 * voice starts, reaches a word, or gives up.
 */
import {
	buildTimeline,
	reanchor,
	speechEnd,
	weightsAt,
	wordAt,
	type Timeline
} from '$lib/avatar/lipsync/timeline';
import { clearVisemeWeights, type VisemeWeights } from '$lib/avatar/lipsync/visemes';
import type { Sentence } from './sentences';
import type { Clock } from './synth-types';

/** The word being said, located in the whole answer text (for karaoke highlighting). */
export interface SpeakerWord {
	text: string;
	/** Index of its first character in all the text pushed for this answer. */
	charIndex: number;
	length: number;
}

/** What a run reports to its owner. */
export interface RunHooks {
	onWord(word: SpeakerWord): void;
	/** The sentence is over (or, voiced, overran its estimate so far that we stop waiting). */
	onOver(): void;
}

/** A voiced sentence may take this many times its estimate before we stop waiting for `end`. */
const OVERRUN_FACTOR = 3;
const OVERRUN_MIN_MS = 5000;

export class SentenceRun {
	readonly sentence: Sentence;
	readonly timeline: Timeline;
	/** Duration units up to the end of the last word, for learning the rate. */
	readonly units: number;
	/** Heard through a voice, rather than mouthed on the clock. */
	voiced = false;
	#startedAt: number | null = null;
	#wordIndex = -1;
	#endTimer: unknown = null;
	#wordTimer: unknown = null;
	readonly #clock: Clock;
	readonly #hooks: RunHooks;

	constructor(sentence: Sentence, msPerUnit: number, clock: Clock, hooks: RunHooks) {
		this.sentence = sentence;
		this.timeline = buildTimeline(sentence.text, { msPerUnit });
		this.units = speechEnd(this.timeline) / msPerUnit;
		this.#clock = clock;
		this.#hooks = hooks;
	}

	get started(): boolean {
		return this.#startedAt !== null;
	}

	/** ms since the sentence started, NaN before. */
	elapsed(): number {
		return this.#startedAt === null ? NaN : this.#clock.now() - this.#startedAt;
	}

	/** Speech starts now: publish words on time and end on time (or on overrun when voiced). */
	begin(): void {
		this.#startedAt = this.#clock.now();
		const limit = this.voiced
			? Math.max(OVERRUN_FACTOR * this.timeline.duration, OVERRUN_MIN_MS)
			: this.timeline.duration;
		this.#setEndTimer(limit);
		this.#tickWord();
	}

	/** The voice reached the word at `charIndex` of the sentence: re-anchor the timeline on it. */
	boundary(charIndex: number): void {
		if (this.#startedAt === null) return;
		reanchor(this.timeline, charIndex, this.elapsed());
		this.#tickWord();
	}

	/** No more voice: a started sentence ends on the clock; one not started waits for `begin`. */
	silence(): void {
		this.voiced = false;
		if (this.#startedAt !== null) {
			this.#setEndTimer(Math.max(0, this.timeline.duration - this.elapsed()));
		}
	}

	/** Viseme weights at clock time `now`, into `out`; all 0 before the start. */
	weights(now: number, out: VisemeWeights): VisemeWeights {
		if (this.#startedAt === null) return clearVisemeWeights(out);
		return weightsAt(this.timeline, now - this.#startedAt, out);
	}

	/** Clears the timers; the run reports nothing more. */
	stop(): void {
		if (this.#endTimer !== null) this.#clock.clearTimeout(this.#endTimer);
		if (this.#wordTimer !== null) this.#clock.clearTimeout(this.#wordTimer);
		this.#endTimer = null;
		this.#wordTimer = null;
	}

	#setEndTimer(ms: number): void {
		if (this.#endTimer !== null) this.#clock.clearTimeout(this.#endTimer);
		this.#endTimer = this.#clock.setTimeout(() => {
			this.stop();
			this.#hooks.onOver();
		}, ms);
	}

	/** Publishes the word at the current time and wakes up when the next one starts. */
	#tickWord(): void {
		if (this.#wordTimer !== null) this.#clock.clearTimeout(this.#wordTimer);
		this.#wordTimer = null;
		const t = this.elapsed();
		const index = wordAt(this.timeline, t);
		const word = this.timeline.words[index];
		if (word && index !== this.#wordIndex) {
			this.#wordIndex = index;
			const charIndex = this.sentence.offset + word.charIndex;
			this.#hooks.onWord({ text: word.text, charIndex, length: word.text.length });
		}
		const upcoming = this.timeline.words.find((w) => w.start > t);
		if (!upcoming) return;
		// At least 1 ms: float rounding can wake us a hair before the start we waited for.
		const wait = Math.max(1, upcoming.start - t);
		this.#wordTimer = this.#clock.setTimeout(() => this.#tickWord(), wait);
	}
}
