/** Typed errors of the avatar, so callers branch on a code rather than on message text. */

/** Codes an {@link AvatarError} can carry. */
export type AvatarErrorCode = 'AVATAR_NO_WEBGL' | 'AVATAR_DISPOSED';

/** An avatar failure with a stable code. */
export class AvatarError extends Error {
	readonly code: AvatarErrorCode;

	constructor(code: AvatarErrorCode, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'AvatarError';
		this.code = code;
	}
}

/** Thrown by the Avatar constructor when the browser cannot give it a WebGL 2 context. */
export class AvatarUnsupportedError extends AvatarError {
	constructor(options?: { cause?: unknown }) {
		super('AVATAR_NO_WEBGL', '3D avatar unavailable: this browser has no WebGL', options);
		this.name = 'AvatarUnsupportedError';
	}
}

/** True for the error the constructor throws when WebGL is missing. */
export function isAvatarUnsupported(error: unknown): error is AvatarUnsupportedError {
	return error instanceof AvatarError && error.code === 'AVATAR_NO_WEBGL';
}
