/**
 * A small PNG decoder (zlib from Node, no dependencies): non-interlaced images of every colour
 * type and bit depth, to RGBA. Enough for camera stills that browsers encode with `toBlob`.
 */
import { inflateSync } from 'node:zlib';
import type { RgbaImage } from './image';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

interface Header {
	width: number;
	height: number;
	bitDepth: number;
	colorType: number;
	interlace: number;
}

/** Whether the bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
	return SIGNATURE.every((byte, i) => bytes[i] === byte);
}

/** Decodes a PNG to RGBA; throws on a file it cannot read. */
export function decodePng(bytes: Uint8Array, maxPixels: number): RgbaImage {
	if (!isPng(bytes)) throw new Error('not a PNG');
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let header: Header | undefined;
	let palette: Uint8Array | undefined;
	let transparency: Uint8Array | undefined;
	const idat: Uint8Array[] = [];
	for (let at = 8; at + 8 <= bytes.length;) {
		const length = view.getUint32(at);
		const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
		const data = bytes.subarray(at + 8, at + 8 + length);
		if (type === 'IHDR') header = readHeader(data);
		else if (type === 'PLTE') palette = data;
		else if (type === 'tRNS') transparency = data;
		else if (type === 'IDAT') idat.push(data);
		else if (type === 'IEND') break;
		at += 12 + length;
	}
	if (!header || idat.length === 0) throw new Error('PNG without header or image data');
	if (header.interlace !== 0) throw new Error('interlaced PNG');
	const channels = CHANNELS[header.colorType];
	if (channels === undefined) throw new Error(`PNG colour type ${header.colorType}`);
	if (header.width * header.height > maxPixels) throw new Error('PNG too large');
	if (header.colorType === 3 && !palette) throw new Error('PNG palette missing');
	const bitsPerPixel = channels * header.bitDepth;
	const rowBytes = Math.ceil((header.width * bitsPerPixel) / 8);
	const raw = inflateBounded(Buffer.concat(idat), header.height * (rowBytes + 1));
	const rows = unfilter(raw, header.height, rowBytes, Math.max(1, bitsPerPixel >> 3));
	return toRgba(rows, header, rowBytes, channels, palette, transparency);
}

/**
 * Inflates at most `expected` bytes, what the header's size needs: a stream that would unpack to
 * more (hundreds of MB from a 256 KiB frame) is refused before it is held in memory.
 */
function inflateBounded(data: Buffer, expected: number): Buffer {
	try {
		return inflateSync(data, { maxOutputLength: Math.max(1, expected) });
	} catch (error) {
		const code = (error as { code?: unknown }).code;
		if (code === 'ERR_BUFFER_TOO_LARGE') throw new Error('PNG data larger than its header says');
		throw error;
	}
}

function readHeader(data: Uint8Array): Header {
	const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
	return {
		width: view.getUint32(0),
		height: view.getUint32(4),
		bitDepth: data[8] ?? 0,
		colorType: data[9] ?? 0,
		interlace: data[12] ?? 0
	};
}

/** Undoes the per-row filters (PNG spec §9) in place order; returns the bare pixel rows. */
function unfilter(raw: Uint8Array, height: number, rowBytes: number, bpp: number): Uint8Array {
	if (raw.length < height * (rowBytes + 1)) throw new Error('PNG data truncated');
	const out = new Uint8Array(height * rowBytes);
	for (let y = 0; y < height; y++) {
		const filter = raw[y * (rowBytes + 1)];
		const src = y * (rowBytes + 1) + 1;
		const row = y * rowBytes;
		const prev = row - rowBytes;
		for (let x = 0; x < rowBytes; x++) {
			const a = x >= bpp ? (out[row + x - bpp] ?? 0) : 0;
			const b = y > 0 ? (out[prev + x] ?? 0) : 0;
			const c = y > 0 && x >= bpp ? (out[prev + x - bpp] ?? 0) : 0;
			const value = raw[src + x] ?? 0;
			out[row + x] = (value + predict(filter ?? 0, a, b, c)) & 0xff;
		}
	}
	return out;
}

function predict(filter: number, a: number, b: number, c: number): number {
	switch (filter) {
		case 0:
			return 0;
		case 1:
			return a;
		case 2:
			return b;
		case 3:
			return (a + b) >> 1;
		case 4: {
			const p = a + b - c;
			const pa = Math.abs(p - a);
			const pb = Math.abs(p - b);
			const pc = Math.abs(p - c);
			return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
		}
		default:
			throw new Error(`PNG filter ${filter}`);
	}
}

function toRgba(
	rows: Uint8Array,
	header: Header,
	rowBytes: number,
	channels: number,
	palette: Uint8Array | undefined,
	transparency: Uint8Array | undefined
): RgbaImage {
	const { width, height, bitDepth, colorType } = header;
	const data = new Uint8Array(width * height * 4);
	const max = (1 << Math.min(bitDepth, 8)) - 1;
	/** Sample `i` of a row as 0..255 (16-bit samples keep their high byte). */
	const sample = (row: number, i: number): number => {
		if (bitDepth === 8) return rows[row + i] ?? 0;
		if (bitDepth === 16) return rows[row + i * 2] ?? 0;
		const bit = i * bitDepth;
		const byte = rows[row + (bit >> 3)] ?? 0;
		return (byte >> (8 - bitDepth - (bit & 7))) & max;
	};
	const scale = colorType === 3 ? 1 : 255 / max;
	for (let y = 0; y < height; y++) {
		const row = y * rowBytes;
		for (let x = 0; x < width; x++) {
			const out = (y * width + x) * 4;
			const s = (k: number) => Math.round(sample(row, x * channels + k) * scale);
			if (colorType === 3) {
				const index = sample(row, x);
				data.set(palette?.subarray(index * 3, index * 3 + 3) ?? [0, 0, 0], out);
				data[out + 3] = transparency?.[index] ?? 255;
			} else if (colorType === 0 || colorType === 4) {
				data.fill(s(0), out, out + 3);
				data[out + 3] = colorType === 4 ? s(1) : 255;
			} else {
				data[out] = s(0);
				data[out + 1] = s(1);
				data[out + 2] = s(2);
				data[out + 3] = colorType === 6 ? s(3) : 255;
			}
		}
	}
	return { width, height, data };
}
