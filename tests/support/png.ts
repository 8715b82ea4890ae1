/**
 * PNG files written byte by byte for the still decoders' tests: the signature, chunks with their
 * CRC, and a decompression bomb. One definition of the format for every test that needs one.
 */
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One chunk: length, type, data, CRC of type and data. */
export function pngChunk(type: string, data: Buffer): Buffer {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(data.length, 0);
	head.write(type, 4, 'latin1');
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
	return Buffer.concat([head, data, crc]);
}

/** A PNG: signature, IHDR (not interlaced), then `chunks`, then IEND. */
export function pngFile(
	header: { width: number; height: number; bitDepth: number; colorType: number },
	chunks: Buffer[]
): Buffer {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(header.width, 0);
	ihdr.writeUInt32BE(header.height, 4);
	ihdr.set([header.bitDepth, header.colorType, 0, 0, 0], 8);
	return Buffer.concat([
		SIGNATURE,
		pngChunk('IHDR', ihdr),
		...chunks,
		pngChunk('IEND', Buffer.alloc(0))
	]);
}

/**
 * A decompression bomb: a valid PNG whose header says 2048 x 2048 RGBA (16 MiB of pixels, within
 * the pixel limit) and whose image data inflates to `inflatedBytes` of zeros, far more than the
 * header needs. Deflate packs zeros about 1000:1, so 150 MB fit in a frame under 256 KiB (issue
 * 11, reproduction 6).
 */
export function pngBomb(inflatedBytes = 150_000_000): Buffer {
	return pngFile({ width: 2048, height: 2048, bitDepth: 8, colorType: 6 }, [
		pngChunk('IDAT', deflateSync(Buffer.alloc(inflatedBytes), { level: 9 }))
	]);
}
