/**
 * The one error a model load reports to the person: its message is shown on the page as it is,
 * so it says what went wrong and what to do, in plain words. No three.js here.
 */

/** Largest .glb or .vrm the page accepts, in bytes (50 MB). */
export const MAX_MODEL_BYTES = 50 * 1024 * 1024;

/** A model that cannot be used, with a message for the page. */
export class ModelError extends Error {
	override readonly name = 'ModelError';
}

/** The message to show for any failure while loading a model. */
export function modelErrorMessage(error: unknown): string {
	if (error instanceof ModelError) return error.message;
	if (error instanceof DOMException && error.name === 'AbortError') return 'Loading was cancelled.';
	const detail = error instanceof Error ? error.message : String(error);
	return `This file could not be read as a 3D model (${detail}).`;
}

/** "12.3 MB", for messages. */
export function megabytes(bytes: number): string {
	return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
