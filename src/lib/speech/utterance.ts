/**
 * Speaking one sentence with `speechSynthesis`, turning the utterance's events into four plain
 * callbacks. Browser errors (no constructor, `speak` throwing) come back as a failed start.
 */
import {
	eventNumber,
	eventString,
	type SynthLike,
	type UtteranceLike,
	type VoiceLike
} from './synth-types';

/** What one utterance reports. */
export interface UtteranceHandlers {
	onStart(): void;
	/** A word starts at `charIndex` of the sentence. */
	onWord(charIndex: number): void;
	onEnd(): void;
	/** The voice failed (`error` is the event's code, e.g. `synthesis-failed`, `not-allowed`). */
	onError(error: string): void;
}

/** Makes an utterance for `text`. */
export type UtteranceFactory = (text: string) => UtteranceLike;

/** The browser's `SpeechSynthesisUtterance`, when there is one. */
export function browserUtteranceFactory(): UtteranceFactory | null {
	if (typeof SpeechSynthesisUtterance === 'undefined') return null;
	return (text) => new SpeechSynthesisUtterance(text);
}

/**
 * Starts speaking `text` with `voice`. Returns false (and calls nothing) when the browser refused
 * to even queue it.
 */
export function speakUtterance(
	synth: SynthLike,
	create: UtteranceFactory,
	text: string,
	voice: VoiceLike,
	handlers: UtteranceHandlers
): boolean {
	try {
		const utterance = create(text);
		utterance.voice = voice;
		utterance.lang = voice.lang;
		utterance.rate = 1;
		utterance.addEventListener('start', () => handlers.onStart());
		utterance.addEventListener('end', () => handlers.onEnd());
		utterance.addEventListener('error', (event) => handlers.onError(eventString(event, 'error')));
		utterance.addEventListener('boundary', (event) => {
			// Sentence boundaries carry no new timing; only words re-anchor the mouth.
			const name = eventString(event, 'name');
			const charIndex = eventNumber(event, 'charIndex');
			if ((name === '' || name === 'word') && Number.isFinite(charIndex))
				handlers.onWord(charIndex);
		});
		synth.speak(utterance);
		return true;
	} catch {
		return false;
	}
}
