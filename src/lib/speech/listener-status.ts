/**
 * What the microphone button says. Recognition fails in ways the user can act on (permission,
 * no microphone, offline), so each has a status and a sentence; nothing fails silently.
 */
import type { StatusMeaning } from '$lib/device/device-status.svelte';

/** Where speech recognition stands. */
export type ListenerStatus =
	| 'idle'
	| 'starting'
	| 'listening'
	| 'unsupported'
	| 'denied'
	| 'network'
	| 'no-speech'
	| 'audio-capture'
	| 'language'
	| 'error';

/** One sentence per status, for the button's label or tooltip. */
export const LISTENER_MESSAGES: Readonly<Record<ListenerStatus, string>> = {
	idle: 'Press the microphone to talk.',
	starting: 'Starting the microphone…',
	listening: 'Listening…',
	unsupported: 'Speech recognition is not available in this browser. Please type instead.',
	denied: 'Microphone permission was denied. Allow it in the site settings to talk.',
	network: 'Speech recognition needs the network and could not reach its service.',
	'no-speech': 'No speech was heard. Press the microphone and try again.',
	'audio-capture': 'No microphone was found, or it could not be used.',
	language: 'Speech recognition does not support this language.',
	error: 'Speech recognition stopped because of an error. Please try again.'
};

/** The status a recognition `error` event's code stands for; `aborted` is a normal stop. */
export function statusFromRecognitionError(code: string): ListenerStatus {
	switch (code) {
		case 'aborted':
			return 'idle';
		case 'not-allowed':
		case 'service-not-allowed':
			return 'denied';
		case 'network':
			return 'network';
		case 'no-speech':
			return 'no-speech';
		case 'audio-capture':
			return 'audio-capture';
		case 'language-not-supported':
			return 'language';
		default:
			return 'error';
	}
}

/** The status for an exception thrown by `recognition.start()` (a DOMException's name). */
export function statusFromStartError(error: unknown): ListenerStatus {
	const name: unknown =
		typeof error === 'object' && error !== null ? Reflect.get(error, 'name') : '';
	if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
	if (name === 'NotFoundError') return 'audio-capture';
	return 'error';
}

/** Whether the status is a problem to show (the button cannot listen right now). */
export function isListenerProblem(status: ListenerStatus): boolean {
	return !(status === 'idle' || status === 'starting' || status === 'listening');
}

/** What each status means, for the listener's `DeviceStatus`. */
export const LISTENER_MEANING: StatusMeaning<ListenerStatus> = {
	messages: LISTENER_MESSAGES,
	isProblem: isListenerProblem
};
