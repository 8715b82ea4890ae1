/**
 * The slice of the Web Speech recognition API the listener uses. TypeScript's DOM library has no
 * `SpeechRecognition`, so it is described here; tests pass fakes of the same shape.
 */

export interface RecognitionAlternativeLike {
	readonly transcript: string;
}

export interface RecognitionResultLike {
	readonly isFinal: boolean;
	readonly length: number;
	readonly [index: number]: RecognitionAlternativeLike | undefined;
}

export interface RecognitionResultEventLike {
	readonly resultIndex: number;
	readonly results: {
		readonly length: number;
		readonly [index: number]: RecognitionResultLike | undefined;
	};
}

export interface RecognitionErrorEventLike {
	readonly error: string;
}

/** One recognition session. */
export interface RecognitionLike {
	lang: string;
	continuous: boolean;
	interimResults: boolean;
	onstart: (() => void) | null;
	onresult: ((event: RecognitionResultEventLike) => void) | null;
	onerror: ((event: RecognitionErrorEventLike) => void) | null;
	onend: (() => void) | null;
	start(): void;
	stop(): void;
	abort(): void;
}

export type RecognitionConstructor = new () => RecognitionLike;

/** The browser's `SpeechRecognition` (or Chrome's prefixed one); null where there is none. */
export function browserRecognition(): RecognitionConstructor | null {
	if (typeof window === 'undefined') return null;
	const ctor: unknown =
		Reflect.get(window, 'SpeechRecognition') ?? Reflect.get(window, 'webkitSpeechRecognition');
	// The browser's constructor matches RecognitionLike; the DOM typings just do not declare it.
	return typeof ctor === 'function' ? (ctor as RecognitionConstructor) : null;
}
