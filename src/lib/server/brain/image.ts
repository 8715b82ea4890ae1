/** Decoding camera stills to RGBA pixels: JPEG (jpeg-js, pure JS) and PNG (./png). */
import jpeg from 'jpeg-js';
import { decodePng, isPng } from './png';

export interface RgbaImage {
	width: number;
	height: number;
	/** width * height * 4 bytes, RGBA */
	data: Uint8Array;
}

/**
 * Refuse pictures above this many pixels (4 MP: 16 MiB of RGBA), checked from the header before
 * any pixel is decoded: a 256 KiB frame can describe a huge image (a decompression bomb). The
 * page sends 640x480 stills.
 */
export const MAX_PIXELS = 4 * 1024 * 1024;
/** jpeg-js's own cap on what it allocates while decoding, in MB (pixels plus its buffers). */
const MAX_JPEG_MEMORY_MB = 64;

/** Decodes a JPEG or PNG still, told apart by its first bytes (the declared MIME type may lie). */
export function decodeImage(bytes: Uint8Array): RgbaImage {
	if (isPng(bytes)) return decodePng(bytes, MAX_PIXELS);
	if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
		const image = jpeg.decode(bytes, {
			useTArray: true,
			formatAsRGBA: true,
			maxResolutionInMP: MAX_PIXELS / 1_000_000,
			maxMemoryUsageInMB: MAX_JPEG_MEMORY_MB
		});
		return { width: image.width, height: image.height, data: image.data };
	}
	throw new Error('unsupported image format (JPEG and PNG are)');
}
