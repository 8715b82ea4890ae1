/**
 * Camera stills: the current video picture, downscaled and encoded as base64 JPEG for a `frame`
 * message. Uses OffscreenCanvas where there is one, a plain canvas otherwise.
 */

/** A still as the `frame` message carries it. */
export interface CameraFrame {
	mime: 'image/jpeg';
	width: number;
	height: number;
	/** Base64 JPEG bytes, no `data:` prefix. */
	data: string;
}

/** The size of a `width` x `height` picture scaled to at most `maxWidth` wide (never enlarged). */
export function fitWithin(
	width: number,
	height: number,
	maxWidth: number
): { width: number; height: number } {
	if (!(width > 0 && height > 0)) return { width: 0, height: 0 };
	const scale = Math.min(1, maxWidth / width);
	return {
		width: Math.max(1, Math.round(width * scale)),
		height: Math.max(1, Math.round(height * scale))
	};
}

/** Base64 of `bytes`, in chunks so large pictures do not overflow the argument list. */
export function bytesToBase64(bytes: Uint8Array): string {
	const CHUNK = 0x8000;
	let binary = '';
	for (let i = 0; i < bytes.length; i += CHUNK) {
		binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
	}
	return btoa(binary);
}

/** Draws `source` at `width` x `height` and encodes it as base64 JPEG; null if it cannot. */
export async function encodeJpeg(
	source: CanvasImageSource,
	width: number,
	height: number,
	quality: number
): Promise<string | null> {
	if (typeof OffscreenCanvas !== 'undefined') {
		const canvas = new OffscreenCanvas(width, height);
		const context = canvas.getContext('2d');
		if (!context) return null;
		context.drawImage(source, 0, 0, width, height);
		const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
		if (blob.type !== 'image/jpeg') return null;
		return bytesToBase64(new Uint8Array(await blob.arrayBuffer()));
	}
	if (typeof document === 'undefined') return null;
	const canvas = document.createElement('canvas');
	canvas.width = width;
	canvas.height = height;
	canvas.getContext('2d')?.drawImage(source, 0, 0, width, height);
	const url = canvas.toDataURL('image/jpeg', quality);
	// Browsers without JPEG encoding silently return PNG; the frame must say what it is.
	const prefix = 'data:image/jpeg;base64,';
	return url.startsWith(prefix) ? url.slice(prefix.length) : null;
}

/**
 * The video's current picture as a JPEG at most `maxWidth` wide, with a base64 body of at most
 * `maxChars` (quality is lowered to fit); null when there is no picture yet or it cannot fit.
 */
export async function captureStill(
	video: HTMLVideoElement,
	maxWidth: number,
	quality: number,
	maxChars: number
): Promise<CameraFrame | null> {
	const { width, height } = fitWithin(video.videoWidth, video.videoHeight, maxWidth);
	if (width === 0) return null;
	for (const q of [quality, quality * 0.7, quality * 0.45]) {
		const data = await encodeJpeg(video, width, height, q);
		if (data === null) return null;
		if (data.length <= maxChars) return { mime: 'image/jpeg', width, height, data };
	}
	return null;
}
