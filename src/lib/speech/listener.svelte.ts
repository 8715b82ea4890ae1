/**
 * The microphone: Web Speech recognition for push-to-talk or a toggle. While the user speaks,
 * interim text is reported (to show in the input); when the session ends, the final text is
 * reported once (to send as a chat message). Every failure becomes a status with a message;
 * nothing throws to the page.
 *
 * It is the one owner of the microphone's state: `status`, `message` and `problem` (from
 * `DeviceStatus`) and `hearing` are reactive (runes), so the page reads them here instead of
 * keeping copies.
 */
import { DeviceStatus } from '$lib/device/device-status.svelte';
import {
	LISTENER_MEANING,
	isListenerProblem,
	statusFromRecognitionError,
	statusFromStartError,
	type ListenerStatus
} from './listener-status';
import {
	browserRecognition,
	type RecognitionConstructor,
	type RecognitionLike,
	type RecognitionResultEventLike
} from './recognition-types';

export interface ListenerOptions {
	/** Default: the browser's `SpeechRecognition`/`webkitSpeechRecognition`; null = unsupported. */
	recognition?: RecognitionConstructor | null;
	lang?: string;
	/** Text heard so far in this session, final and interim together. */
	onInterim?: (text: string) => void;
	/** The whole text of a finished session (not called when nothing was heard, or on abort). */
	onFinal?: (text: string) => void;
	onStatus?: (status: ListenerStatus, message: string) => void;
}

/** Final and interim transcripts of all results so far. */
function transcripts(event: RecognitionResultEventLike): { final: string; interim: string } {
	const final: string[] = [];
	const interim: string[] = [];
	for (let i = 0; i < event.results.length; i++) {
		const result = event.results[i];
		const text = result?.[0]?.transcript.trim();
		if (text) (result?.isFinal ? final : interim).push(text);
	}
	return { final: final.join(' '), interim: interim.join(' ') };
}

/** Speech recognition with a clear status; see the file comment. */
export class Listener extends DeviceStatus<ListenerStatus> {
	readonly #ctor: RecognitionConstructor | null;
	readonly #options: ListenerOptions;
	#session: RecognitionLike | null = null;
	#heard = { final: '', interim: '' };
	#discard = false;

	constructor(options: ListenerOptions = {}) {
		const ctor = options.recognition === undefined ? browserRecognition() : options.recognition;
		super(ctor ? 'idle' : 'unsupported', LISTENER_MEANING, options.onStatus);
		this.#options = options;
		this.#ctor = ctor;
	}

	/** Whether this browser has speech recognition at all. */
	get supported(): boolean {
		return this.#ctor !== null;
	}

	/** Starting or listening, as the microphone button shows it; reactive. */
	get hearing(): boolean {
		return this.status === 'starting' || this.status === 'listening';
	}

	/** A session is starting or running. */
	get listening(): boolean {
		return this.#session !== null;
	}

	/** Starts listening; false (with a status saying why) when it cannot. */
	start(): boolean {
		if (this.#session) return true;
		if (!this.#ctor) {
			this.setStatus('unsupported');
			return false;
		}
		try {
			const session = new this.#ctor();
			session.lang = this.#options.lang ?? 'en-US';
			// Continuous: the user decides when to stop (button released or pressed again).
			session.continuous = true;
			session.interimResults = true;
			this.#attach(session);
			this.#session = session;
			this.#heard = { final: '', interim: '' };
			this.#discard = false;
			this.setStatus('starting');
			session.start();
			return true;
		} catch (error) {
			this.#session = null;
			this.setStatus(statusFromStartError(error));
			return false;
		}
	}

	/** Stops listening; what was heard is delivered through `onFinal` when the session ends. */
	stop(): void {
		this.#call((session) => session.stop());
	}

	/** Stops listening and drops what was heard. */
	abort(): void {
		this.#discard = true;
		this.#call((session) => session.abort());
	}

	/** Starts when idle, stops when listening (for a toggle button). */
	toggle(): void {
		if (this.#session) this.stop();
		else this.start();
	}

	/** Aborts any session; safe to call twice. */
	dispose(): void {
		this.abort();
	}

	#attach(session: RecognitionLike): void {
		const current = () => this.#session === session;
		session.onstart = () => current() && this.setStatus('listening');
		session.onresult = (event) => {
			if (!current()) return;
			this.#heard = transcripts(event);
			const text = [this.#heard.final, this.#heard.interim].filter(Boolean).join(' ');
			this.#options.onInterim?.(text);
		};
		session.onerror = (event) => {
			if (!current()) return;
			const status = statusFromRecognitionError(event.error);
			if (isListenerProblem(status)) this.setStatus(status);
		};
		session.onend = () => current() && this.#ended();
	}

	#ended(): void {
		this.#session = null;
		// A recogniser stopped mid-word may not finalise it; the interim words are still what was said.
		const text = this.#heard.final || this.#heard.interim;
		if (!this.problem) this.setStatus('idle');
		if (text && !this.#discard) this.#options.onFinal?.(text);
	}

	#call(action: (session: RecognitionLike) => void): void {
		const session = this.#session;
		if (!session) return;
		try {
			action(session);
		} catch {
			// The session is already over; end it on our side.
			this.#ended();
		}
	}
}
