/**
 * The avatar's voice: speaks a streamed answer sentence by sentence with `speechSynthesis`, with
 * a lip-sync timeline per sentence so the mouth and the caption move with the words. Without a
 * voice (headless browsers, many Linux desktops), when muted, or when the voice fails, the same
 * timeline runs silently on the clock: the avatar still mouths the words.
 *
 * A voiced sentence waits for the voice's `start`; one that does not start within
 * `startTimeoutMs`, errors, or overruns badly carries on silently.
 */
import {
	createVisemeWeights,
	strongestViseme,
	clearVisemeWeights,
	type Viseme,
	type VisemeWeights
} from '$lib/avatar/lipsync/visemes';
import { SentenceRun, type SpeakerWord } from './sentence-run';
import { SentenceSplitter, type Sentence } from './sentences';
import { learnRate } from './speech-rate';
import { browserClock, type Clock, type SynthLike, type VoiceLike } from './synth-types';
import { browserUtteranceFactory, speakUtterance, type UtteranceFactory } from './utterance';
import { pickVoice } from './voices';

export type { SpeakerWord } from './sentence-run';

/** Why an answer stopped being spoken. */
export type SpeakerEndReason = 'done' | 'cancelled';

export interface SpeakerOptions {
	/** Default: the browser's `speechSynthesis`; null for silent mouthing only. */
	synth?: SynthLike | null;
	/** Default: `new SpeechSynthesisUtterance(text)`. */
	createUtterance?: UtteranceFactory;
	clock?: Clock;
	/** Preferred voice language (an English voice is chosen when there is one). */
	lang?: string;
	muted?: boolean;
	/** Starting speaking rate, ms per unit; learned from each voiced sentence. */
	msPerUnit?: number;
	/** A voice that has not started by then is given up for the sentence. */
	startTimeoutMs?: number;
	/** The first sentence of an answer starts. */
	onStart?: () => void;
	/** The answer is over: all said, or cancelled. */
	onEnd?: (reason: SpeakerEndReason) => void;
	/** The spoken word changed (null when the answer is over). */
	onWord?: (word: SpeakerWord | null) => void;
}

const DEFAULTS = { lang: 'en-US', msPerUnit: 75, startTimeoutMs: 2000 };

function browserSynth(): SynthLike | null {
	return typeof speechSynthesis === 'undefined' ? null : speechSynthesis;
}

/** Speaks streamed text with lip sync; see the file comment. Never throws to the page. */
export class Speaker {
	readonly #synth: SynthLike | null;
	readonly #createUtterance: UtteranceFactory | null;
	readonly #clock: Clock;
	readonly #options: SpeakerOptions;
	readonly #splitter = new SentenceSplitter();
	readonly #weights = createVisemeWeights();
	readonly #onVoicesChanged = () => this.#refreshVoice();
	#voice: VoiceLike | null = null;
	#muted: boolean;
	#msPerUnit: number;
	#queue: Sentence[] = [];
	#run: SentenceRun | null = null;
	#startTimer: unknown = null;
	#active = false;
	#ended = false;
	#announced = false;
	#word: SpeakerWord | null = null;
	/** The reply this answer belongs to, when the caller named one (`begin`). */
	#replyId: string | null = null;

	constructor(options: SpeakerOptions = {}) {
		this.#options = options;
		this.#synth = options.synth === undefined ? browserSynth() : options.synth;
		this.#createUtterance = options.createUtterance ?? browserUtteranceFactory();
		this.#clock = options.clock ?? browserClock;
		this.#muted = options.muted ?? false;
		this.#msPerUnit = options.msPerUnit ?? DEFAULTS.msPerUnit;
		this.#synth?.addEventListener('voiceschanged', this.#onVoicesChanged);
		this.#refreshVoice();
	}

	/** The voice sentences are spoken with; null means silent mouthing. */
	get voice(): VoiceLike | null {
		return this.#voice;
	}

	/** An answer is in progress (pushed and not yet finished or cancelled). */
	get active(): boolean {
		return this.#active;
	}

	/** The reply being spoken (named by `begin`), until it is over or cancelled. */
	get replyId(): string | null {
		return this.#replyId;
	}

	/** A sentence is being said (aloud or silently) right now. */
	get speaking(): boolean {
		return this.#run?.started === true;
	}

	/** The current sentence is heard, not just mouthed. */
	get audible(): boolean {
		return this.speaking && this.#run?.voiced === true;
	}

	/** The word being said, for the caption. */
	get word(): SpeakerWord | null {
		return this.#word;
	}

	/** The learned speaking rate, ms per duration unit. */
	get msPerUnit(): number {
		return this.#msPerUnit;
	}

	get muted(): boolean {
		return this.#muted;
	}

	/** Muting silences at once and keeps mouthing; unmuting takes effect from the next sentence. */
	set muted(value: boolean) {
		this.#muted = value;
		if (value && this.#run?.voiced) this.#silence(this.#run);
	}

	/** Starts a new answer for reply `replyId`, cancelling whatever was being said. */
	begin(replyId: string): void {
		this.cancel();
		this.#replyId = replyId;
	}

	/**
	 * Adds the next piece of the answer; speaking starts as soon as a sentence is complete. A push
	 * after `end()` starts a new answer, cancelling what is left of the old one.
	 */
	push(delta: string): void {
		if (!delta) return;
		if (this.#ended) this.cancel();
		this.#active = true;
		this.#queue.push(...this.#splitter.push(delta));
		this.#next();
	}

	/** The answer is complete: speak what is left, then report `onEnd('done')`. */
	end(): void {
		if (!this.#active || this.#ended) return;
		this.#ended = true;
		this.#queue.push(...this.#splitter.flush());
		this.#next();
	}

	/** Speaks a whole text: `push` then `end`. */
	speak(text: string): void {
		this.push(text);
		this.end();
	}

	/** Stops at once and forgets the answer (barge-in). Safe to call at any time, and twice. */
	cancel(): void {
		this.#replyId = null;
		if (!this.#active) return;
		const voiced = this.#run?.voiced === true;
		this.#reset();
		if (voiced) this.#cancelSynth();
		this.#options.onEnd?.('cancelled');
	}

	/** Cancels and stops listening to the browser's voice list. */
	dispose(): void {
		this.cancel();
		this.#synth?.removeEventListener('voiceschanged', this.#onVoicesChanged);
	}

	/**
	 * Viseme weights at `now` (clock ms), written into `out` (by default one record owned by this
	 * speaker, reused each call, so a frame allocates nothing): all 0 when nothing is being said.
	 */
	visemeWeights(now = this.#clock.now(), out: VisemeWeights = this.#weights): VisemeWeights {
		return this.#run ? this.#run.weights(now, out) : clearVisemeWeights(out);
	}

	/** The strongest viseme at `now`, `sil` when the mouth is at rest. */
	viseme(now = this.#clock.now()): Viseme {
		return strongestViseme(this.visemeWeights(now));
	}

	#refreshVoice(): void {
		try {
			const voices = this.#createUtterance ? (this.#synth?.getVoices() ?? []) : [];
			this.#voice = pickVoice(voices, this.#options.lang ?? DEFAULTS.lang);
		} catch {
			this.#voice = null;
		}
	}

	#next(): void {
		if (this.#run || !this.#active) return;
		const sentence = this.#queue.shift();
		if (!sentence) {
			if (this.#ended) this.#finish();
			return;
		}
		const run: SentenceRun = new SentenceRun(sentence, this.#msPerUnit, this.#clock, {
			onWord: (word) => this.#run === run && this.#setWord(word),
			onOver: () => this.#endRun(run)
		});
		this.#run = run;
		if (!this.#muted) run.voiced = this.#speakAloud(run);
		if (!run.voiced) this.#begin(run);
	}

	/** Starts the voice for `run`; false when there is none or the browser refused. */
	#speakAloud(run: SentenceRun): boolean {
		const [synth, create, voice] = [this.#synth, this.#createUtterance, this.#voice];
		if (!synth || !create || !voice) return false;
		const current = () => this.#run === run && run.voiced;
		const queued = speakUtterance(synth, create, run.sentence.text, voice, {
			onStart: () => current() && !run.started && this.#begin(run),
			onWord: (charIndex) => current() && run.boundary(charIndex),
			onEnd: () => current() && this.#voiceEnded(run),
			onError: () => current() && this.#silence(run)
		});
		if (queued) {
			const timeout = this.#options.startTimeoutMs ?? DEFAULTS.startTimeoutMs;
			this.#startTimer = this.#clock.setTimeout(() => this.#silence(run), timeout);
		}
		return queued;
	}

	#begin(run: SentenceRun): void {
		this.#clearStartTimer();
		if (!this.#announced) {
			this.#announced = true;
			this.#options.onStart?.();
		}
		run.begin();
	}

	#voiceEnded(run: SentenceRun): void {
		if (run.started) this.#msPerUnit = learnRate(this.#msPerUnit, run.elapsed(), run.units);
		this.#endRun(run);
	}

	/** Carries on without the voice: the rest of the sentence is mouthed on the clock. */
	#silence(run: SentenceRun): void {
		if (this.#run !== run || !run.voiced) return;
		this.#clearStartTimer();
		const starting = !run.started;
		// Unvoice first: cancelling makes the browser report an error for this very utterance.
		run.silence();
		this.#cancelSynth();
		if (starting) this.#begin(run);
	}

	#endRun(run: SentenceRun): void {
		if (this.#run !== run) return;
		run.stop();
		this.#run = null;
		// An overrunning voice may still be talking; it must not run into the next sentence.
		if (run.voiced) this.#cancelSynth();
		this.#next();
	}

	#finish(): void {
		this.#reset();
		this.#replyId = null;
		this.#options.onEnd?.('done');
	}

	#reset(): void {
		this.#run?.stop();
		this.#clearStartTimer();
		this.#run = null;
		this.#queue = [];
		this.#splitter.reset();
		this.#active = false;
		this.#ended = false;
		this.#announced = false;
		this.#setWord(null);
	}

	#setWord(word: SpeakerWord | null): void {
		if (word === null && this.#word === null) return;
		this.#word = word;
		this.#options.onWord?.(word);
	}

	#cancelSynth(): void {
		try {
			this.#synth?.cancel();
		} catch {
			// A synth that cannot even cancel has nothing left to stop.
		}
	}

	#clearStartTimer(): void {
		if (this.#startTimer !== null) this.#clock.clearTimeout(this.#startTimer);
		this.#startTimer = null;
	}
}
