/**
 * What the camera button says. Each way `getUserMedia` can fail that a person can act on has a
 * status and a sentence, so nothing breaks silently.
 */
import type { StatusMeaning } from '$lib/device/device-status.svelte';

/** Where the camera stands. */
export type CameraStatus =
	'off' | 'starting' | 'on' | 'unsupported' | 'denied' | 'no-camera' | 'busy' | 'error';

/** One sentence per status, for the camera button's label or tooltip. */
export const CAMERA_MESSAGES: Readonly<Record<CameraStatus, string>> = {
	off: 'Camera off.',
	starting: 'Starting the camera…',
	on: 'Camera on: a still goes with each message.',
	unsupported: 'This browser cannot use a camera here (it needs a secure https page).',
	denied: 'Camera permission was denied. Allow it in the site settings to share your picture.',
	'no-camera': 'No camera was found.',
	busy: 'The camera is in use by another program or could not be started.',
	error: 'The camera stopped because of an error.'
};

/** Error names `getUserMedia` rejects with (current and older spellings), by status. */
const BY_NAME: Readonly<Record<string, CameraStatus>> = {
	NotAllowedError: 'denied',
	SecurityError: 'denied',
	PermissionDeniedError: 'denied',
	NotFoundError: 'no-camera',
	DevicesNotFoundError: 'no-camera',
	OverconstrainedError: 'no-camera',
	ConstraintNotSatisfiedError: 'no-camera',
	NotReadableError: 'busy',
	TrackStartError: 'busy',
	AbortError: 'busy'
};

/** The status for an error from `getUserMedia` (a DOMException, by its name). */
export function statusFromMediaError(error: unknown): CameraStatus {
	const name: unknown =
		typeof error === 'object' && error !== null ? Reflect.get(error, 'name') : '';
	return (typeof name === 'string' && BY_NAME[name]) || 'error';
}

/** Whether the status is a problem to show (the camera cannot be used right now). */
export function isCameraProblem(status: CameraStatus): boolean {
	return !(status === 'off' || status === 'starting' || status === 'on');
}

/** What each status means, for the camera's `DeviceStatus`. */
export const CAMERA_MEANING: StatusMeaning<CameraStatus> = {
	messages: CAMERA_MESSAGES,
	isProblem: isCameraProblem
};
