/**
 * The small slice of the Web Speech synthesis API and of timers the speaker uses, as structural
 * types: the browser's objects fit them as they are, and tests can pass fakes of the same shape.
 */

/** What the speaker needs of a `SpeechSynthesisVoice`. */
export interface VoiceLike {
	readonly name: string;
	readonly lang: string;
	readonly default: boolean;
	readonly localService: boolean;
}

/** Events an utterance reports. */
export type UtteranceEventType = 'start' | 'end' | 'error' | 'boundary';

/** What the speaker needs of a `SpeechSynthesisUtterance`. */
export interface UtteranceLike {
	text: string;
	lang: string;
	rate: number;
	voice: VoiceLike | null;
	addEventListener(type: UtteranceEventType, listener: (event: Event) => void): void;
}

/** What the speaker needs of `window.speechSynthesis`. */
export interface SynthLike {
	getVoices(): readonly VoiceLike[];
	speak(utterance: UtteranceLike): void;
	cancel(): void;
	addEventListener(type: 'voiceschanged', listener: () => void): void;
	removeEventListener(type: 'voiceschanged', listener: () => void): void;
}

/** Time and timers, injectable so tests control them. */
export interface Clock {
	/** ms, monotonic. */
	now(): number;
	setTimeout(callback: () => void, ms: number): unknown;
	clearTimeout(handle: unknown): void;
}

/** The page's clock: `performance.now()` and the global timers. */
export const browserClock: Clock = {
	now: () => performance.now(),
	setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
	clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>)
};

/** A numeric field of a speech event (`charIndex`), or NaN when it is missing. */
export function eventNumber(event: Event, key: string): number {
	const value: unknown = Reflect.get(event, key);
	return typeof value === 'number' ? value : NaN;
}

/** A string field of a speech event (`error`, `name`), or '' when it is missing. */
export function eventString(event: Event, key: string): string {
	const value: unknown = Reflect.get(event, key);
	return typeof value === 'string' ? value : '';
}
