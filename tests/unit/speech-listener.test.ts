import { describe, expect, it } from 'vitest';
import { Listener } from '$lib/speech/listener.svelte';
import {
	LISTENER_MESSAGES,
	isListenerProblem,
	statusFromRecognitionError,
	statusFromStartError,
	type ListenerStatus
} from '$lib/speech/listener-status';
import type {
	RecognitionErrorEventLike,
	RecognitionLike,
	RecognitionResultEventLike
} from '$lib/speech/recognition-types';

/** `SpeechRecognition` at the edge: the test plays the recogniser's events. */
class FakeRecognition implements RecognitionLike {
	static sessions: FakeRecognition[] = [];
	static startError: Error | null = null;
	lang = '';
	continuous = false;
	interimResults = false;
	onstart: (() => void) | null = null;
	onresult: ((event: RecognitionResultEventLike) => void) | null = null;
	onerror: ((event: RecognitionErrorEventLike) => void) | null = null;
	onend: (() => void) | null = null;
	calls: string[] = [];

	constructor() {
		FakeRecognition.sessions.push(this);
	}

	start(): void {
		if (FakeRecognition.startError) throw FakeRecognition.startError;
		this.calls.push('start');
	}

	stop(): void {
		this.calls.push('stop');
	}

	abort(): void {
		this.calls.push('abort');
	}

	/** Reports results as [text, isFinal] pairs, all of the session so far. */
	hear(...results: [string, boolean][]): void {
		const list = results.map(([transcript, isFinal]) => ({
			isFinal,
			length: 1,
			0: { transcript }
		}));
		this.onresult?.({ resultIndex: 0, results: list });
	}
}

function setUp() {
	FakeRecognition.sessions = [];
	FakeRecognition.startError = null;
	const interim: string[] = [];
	const final: string[] = [];
	const statuses: ListenerStatus[] = [];
	const listener = new Listener({
		recognition: FakeRecognition,
		onInterim: (text) => interim.push(text),
		onFinal: (text) => final.push(text),
		onStatus: (status) => statuses.push(status)
	});
	const session = () => FakeRecognition.sessions.at(-1);
	return { listener, interim, final, statuses, session };
}

describe('statusFromRecognitionError', () => {
	it('maps the recogniser’s error codes to what the button says', () => {
		expect(statusFromRecognitionError('not-allowed')).toBe('denied');
		expect(statusFromRecognitionError('service-not-allowed')).toBe('denied');
		expect(statusFromRecognitionError('network')).toBe('network');
		expect(statusFromRecognitionError('no-speech')).toBe('no-speech');
		expect(statusFromRecognitionError('audio-capture')).toBe('audio-capture');
		expect(statusFromRecognitionError('language-not-supported')).toBe('language');
		expect(statusFromRecognitionError('something-new')).toBe('error');
	});

	it('treats an abort as a normal stop, not a problem', () => {
		expect(isListenerProblem(statusFromRecognitionError('aborted'))).toBe(false);
	});

	it('maps exceptions from start() by name', () => {
		expect(statusFromStartError(new DOMException('no', 'NotAllowedError'))).toBe('denied');
		expect(statusFromStartError(new DOMException('gone', 'NotFoundError'))).toBe('audio-capture');
		expect(statusFromStartError('weird')).toBe('error');
	});

	it('has a different human sentence for every status', () => {
		const messages = Object.values(LISTENER_MESSAGES);
		expect(new Set(messages).size).toBe(messages.length);
		for (const message of messages) expect(message.length).toBeGreaterThan(5);
	});
});

describe('Listener', () => {
	it('says speech recognition is unsupported where the browser has none, without throwing', () => {
		const statuses: ListenerStatus[] = [];
		const listener = new Listener({ recognition: null, onStatus: (s) => statuses.push(s) });
		expect(listener.supported).toBe(false);
		expect(listener.start()).toBe(false);
		expect(statuses).toEqual(['unsupported']);
		expect(listener.message).toBe(LISTENER_MESSAGES.unsupported);
	});

	it('shows interim text while speaking and sends the final text once the session ends', () => {
		const { listener, interim, final, statuses, session } = setUp();
		expect(listener.start()).toBe(true);
		session()?.onstart?.();
		session()?.hear(['hello', false]);
		session()?.hear(['hello there', true], ['how are', false]);
		expect(interim).toEqual(['hello', 'hello there how are']);
		listener.stop();
		session()?.hear(['hello there', true], ['how are you', true]);
		session()?.onend?.();
		expect(final).toEqual(['hello there how are you']);
		expect(statuses).toEqual(['starting', 'listening', 'idle']);
		expect(session()?.calls).toEqual(['start', 'stop']);
	});

	it('listens continuously for push-to-talk, in English by default, with interim results', () => {
		const { listener, session } = setUp();
		listener.start();
		expect(session()).toMatchObject({ continuous: true, interimResults: true, lang: 'en-US' });
	});

	it('keeps the interim words when the recogniser ends without finalising them', () => {
		const { listener, final, session } = setUp();
		listener.start();
		session()?.hear(['almost said', false]);
		session()?.onend?.();
		expect(final).toEqual(['almost said']);
	});

	it('reports a denied permission and keeps saying so after the session ends', () => {
		const { listener, final, statuses, session } = setUp();
		listener.start();
		session()?.onerror?.({ error: 'not-allowed' });
		session()?.onend?.();
		expect(statuses).toEqual(['starting', 'denied']);
		expect(listener.status).toBe('denied');
		expect(listener.listening).toBe(false);
		expect(final).toEqual([]);
	});

	it('reports a network failure', () => {
		const { listener, session } = setUp();
		listener.start();
		session()?.onerror?.({ error: 'network' });
		session()?.onend?.();
		expect(listener.status).toBe('network');
		expect(listener.message).toMatch(/network/);
	});

	it('turns an exception from start() into a status', () => {
		const { listener } = setUp();
		FakeRecognition.startError = new DOMException('blocked', 'NotAllowedError');
		expect(listener.start()).toBe(false);
		expect(listener.status).toBe('denied');
		expect(listener.listening).toBe(false);
	});

	it('drops what was heard on abort', () => {
		const { listener, final, session } = setUp();
		listener.start();
		session()?.hear(['never mind', false]);
		listener.abort();
		session()?.onend?.();
		expect(session()?.calls).toEqual(['start', 'abort']);
		expect(final).toEqual([]);
		expect(listener.status).toBe('idle');
	});

	it('toggles between starting and stopping', () => {
		const { listener, session } = setUp();
		listener.toggle();
		expect(listener.listening).toBe(true);
		listener.toggle();
		expect(session()?.calls).toEqual(['start', 'stop']);
	});

	it('starts a fresh session after a failed one', () => {
		const { listener, session } = setUp();
		listener.start();
		session()?.onerror?.({ error: 'no-speech' });
		session()?.onend?.();
		expect(listener.status).toBe('no-speech');
		listener.start();
		expect(FakeRecognition.sessions).toHaveLength(2);
		expect(listener.status).toBe('starting');
	});
});
