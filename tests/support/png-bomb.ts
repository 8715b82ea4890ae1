/**
 * A decompression bomb for the still decoders: a valid PNG whose header says 2048 x 2048 RGBA
 * (16 MiB of pixels, within the pixel limit) and whose image data inflates to `inflatedBytes` of
 * zeros, far more than the header needs. Deflate packs zeros about 1000:1, so 150 MB fit in a
 * frame under 256 KiB (issue 11, reproduction 6).
 */
import { crc32, deflateSync } from 'node:zlib';

export function pngBomb(inflatedBytes = 150_000_000): Buffer {
	const chunk = (type: string, data: Buffer) => {
		const head = Buffer.alloc(8);
		head.writeUInt32BE(data.length, 0);
		head.write(type, 4, 'latin1');
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
		return Buffer.concat([head, data, crc]);
	};
	const header = Buffer.alloc(13);
	header.writeUInt32BE(2048, 0);
	header.writeUInt32BE(2048, 4);
	header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, not interlaced
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(Buffer.alloc(inflatedBytes), { level: 9 })),
		chunk('IEND', Buffer.alloc(0))
	]);
}
