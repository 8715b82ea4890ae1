import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { describeImage } from '../../src/lib/server/brain/describe-image';
import { decodeImage, MAX_PIXELS } from '../../src/lib/server/brain/image';
import { pngBomb, pngChunk, pngFile } from '../support/png';
import { colourName, imageStats } from '../../src/lib/server/brain/image-stats';

type Rgba = [number, number, number, number];

/** Encodes a PNG of the given colour type and bit depth; rows use filters 0-4 in turn. */
function encodePng(
	width: number,
	height: number,
	colorType: number,
	bitDepth: number,
	samples: (x: number, y: number) => number[],
	palette?: number[][]
): Buffer {
	const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType] ?? 1;
	const rowBytes = Math.ceil((width * channels * bitDepth) / 8);
	const bpp = Math.max(1, (channels * bitDepth) >> 3);
	const raw: number[] = [];
	let previous = new Array<number>(rowBytes).fill(0);
	for (let y = 0; y < height; y++) {
		const row = new Array<number>(rowBytes).fill(0);
		for (let x = 0; x < width; x++) {
			samples(x, y).forEach((value, k) => {
				const index = x * channels + k;
				if (bitDepth === 16) {
					row[index * 2] = value >> 8;
					row[index * 2 + 1] = value & 0xff;
				} else if (bitDepth === 8) row[index] = value;
				else {
					const bit = index * bitDepth;
					row[bit >> 3] = (row[bit >> 3] ?? 0) | (value << (8 - bitDepth - (bit & 7)));
				}
			});
		}
		const filter = y % 5;
		raw.push(
			filter,
			...row.map(
				(value, i) =>
					(value - predict(filter, row[i - bpp] ?? 0, previous[i] ?? 0, previous[i - bpp] ?? 0)) &
					0xff
			)
		);
		previous = row;
	}
	const chunks: Buffer[] = [];
	if (palette)
		chunks.push(
			pngChunk('PLTE', Buffer.from(palette.flatMap((c) => c.slice(0, 3)))),
			pngChunk('tRNS', Buffer.from(palette.map((c) => c[3] ?? 255)))
		);
	const compressed = deflateSync(Buffer.from(raw));
	// Two IDAT chunks, as encoders split long data.
	const half = Math.floor(compressed.length / 2);
	chunks.push(
		pngChunk('IDAT', compressed.subarray(0, half)),
		pngChunk('IDAT', compressed.subarray(half))
	);
	return pngFile({ width, height, bitDepth, colorType }, chunks);
}

function predict(filter: number, a: number, b: number, c: number): number {
	if (filter === 1) return a;
	if (filter === 2) return b;
	if (filter === 3) return (a + b) >> 1;
	if (filter === 4) {
		const p = a + b - c;
		const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
		return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
	}
	return 0;
}

/** An image where each pixel's colour comes from its position, so every filter sees varied data. */
const pattern = (x: number, y: number): Rgba => [
	(x * 37 + y * 11) & 0xff,
	(x * 5 + y * 53) & 0xff,
	(x * 97 + y * 3) & 0xff,
	(x + y) % 2 ? 255 : 128
];

function pixel(image: { width: number; data: Uint8Array }, x: number, y: number): number[] {
	const i = (y * image.width + x) * 4;
	return [...image.data.subarray(i, i + 4)];
}

describe('decodeImage', () => {
	it('decodes an 8-bit RGBA PNG with every row filter exactly', () => {
		const image = decodeImage(encodePng(13, 10, 6, 8, pattern));
		expect([image.width, image.height]).toEqual([13, 10]);
		for (let y = 0; y < 10; y++)
			for (let x = 0; x < 13; x++) expect(pixel(image, x, y)).toEqual(pattern(x, y));
	});

	it('decodes 8-bit RGB and 16-bit RGB PNGs', () => {
		const rgb = decodeImage(encodePng(7, 6, 2, 8, (x, y) => pattern(x, y).slice(0, 3)));
		expect(pixel(rgb, 5, 4)).toEqual([...pattern(5, 4).slice(0, 3), 255]);
		const deep = decodeImage(
			encodePng(7, 6, 2, 16, (x, y) =>
				pattern(x, y)
					.slice(0, 3)
					.map((v) => v * 257)
			)
		);
		expect(pixel(deep, 6, 5)).toEqual([...pattern(6, 5).slice(0, 3), 255]);
	});

	it('decodes grey, grey+alpha and 1-, 2- and 4-bit grey PNGs', () => {
		expect(pixel(decodeImage(encodePng(3, 3, 0, 8, (x) => [x * 100])), 2, 1)).toEqual([
			200, 200, 200, 255
		]);
		expect(pixel(decodeImage(encodePng(3, 3, 4, 8, (x) => [x * 100, 77])), 1, 2)).toEqual([
			100, 100, 100, 77
		]);
		expect(pixel(decodeImage(encodePng(9, 2, 0, 1, (x) => [x % 2])), 7, 1)).toEqual([
			255, 255, 255, 255
		]);
		expect(pixel(decodeImage(encodePng(9, 2, 0, 2, (x) => [x % 4])), 6, 0)).toEqual([
			170, 170, 170, 255
		]);
		expect(pixel(decodeImage(encodePng(9, 2, 0, 4, (x) => [x])), 5, 1)).toEqual([85, 85, 85, 255]);
	});

	it('decodes palette PNGs with transparency, at 8 and 2 bits', () => {
		const palette = [
			[255, 0, 0, 255],
			[0, 0, 255, 10],
			[0, 255, 0, 255]
		];
		const eight = decodeImage(encodePng(4, 4, 3, 8, (x) => [x % 3], palette));
		expect(pixel(eight, 1, 0)).toEqual([0, 0, 255, 10]);
		const two = decodeImage(encodePng(5, 3, 3, 2, (x) => [x % 3], palette));
		expect(pixel(two, 2, 2)).toEqual([0, 255, 0, 255]);
	});

	it('decodes a JPEG', () => {
		const data = Buffer.alloc(16 * 8 * 4);
		for (let i = 0; i < data.length; i += 4) data.set([10, 200, 40, 255], i);
		const image = decodeImage(jpeg.encode({ width: 16, height: 8, data }, 95).data);
		expect([image.width, image.height]).toEqual([16, 8]);
		const [r, g, b] = pixel(image, 8, 4);
		expect(colourName(r ?? 0, g ?? 0, b ?? 0)).toBe('green');
	});

	it('refuses a PNG whose data inflates past what its header needs, without inflating it all (issue 11, reproduction 6)', () => {
		const bomb = pngBomb();
		expect(bomb.length).toBeLessThan(192 * 1024); // base64 in a frame: under 256 KiB
		const before = process.memoryUsage().arrayBuffers;
		expect(() => decodeImage(bomb)).toThrow('PNG data larger than its header says');
		// The inflate stopped at the 16 MiB the header needs, not the 150 MB the data holds.
		expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(100_000_000);
	});

	it('refuses, from the header alone, a PNG or a JPEG of more than 4 megapixels', () => {
		expect(MAX_PIXELS).toBe(4 * 1024 * 1024);
		const png = encodePng(1, 1, 0, 8, () => [0]);
		png.writeUInt32BE(4097, 16); // IHDR width: 4097 x 1024 pixels, one too many rows of pixels
		png.writeUInt32BE(1024, 20);
		expect(() => decodeImage(png)).toThrow('PNG too large');
		const small = Buffer.from(jpeg.encode({ width: 8, height: 8, data: Buffer.alloc(256) }).data);
		const sof = small.indexOf(Buffer.from([0xff, 0xc0]));
		small.writeUInt16BE(4096, sof + 5); // height
		small.writeUInt16BE(4096, sof + 7); // width: 16.8 MP
		expect(() => decodeImage(small)).toThrow(/maxResolutionInMP|resolution/i);
	});

	it.each([
		['a GIF', Buffer.from('GIF89a............')],
		['random bytes', Buffer.from([1, 2, 3, 4, 5])],
		['a truncated PNG', encodePng(8, 8, 6, 8, pattern).subarray(0, 60)],
		[
			'a truncated JPEG',
			jpeg.encode({ width: 8, height: 8, data: Buffer.alloc(256, 128) }).data.subarray(0, 40)
		]
	])('throws a plain error for %s', (_what, bytes) => {
		expect(() => decodeImage(bytes)).toThrow(Error);
	});
});

describe('describing a still', () => {
	const solid = (rgb: [number, number, number], width = 40, height = 30) => {
		const data = Buffer.alloc(width * height * 4);
		for (let i = 0; i < data.length; i += 4) data.set([...rgb, 255], i);
		return {
			mime: 'image/jpeg',
			width,
			height,
			data: jpeg.encode({ width, height, data }, 95).data.toString('base64')
		};
	};

	it('names the size, the brightness and the dominant colour', () => {
		const answer = describeImage(solid([30, 60, 200], 64, 48));
		expect(answer.text).toMatch(
			/^I see a 64 by 48 picture\. It is rather dark overall, about \d+% brightness, and mostly blue \(100% of it\)\.$/
		);
		expect(answer.mood).toBe('thinking');
	});

	it('says so when the picture is almost black, with a concerned mood', () => {
		const answer = describeImage(solid([3, 3, 3]));
		expect(answer.text).toMatch(/very dark.*mostly black.*camera covered/);
		expect(answer.mood).toBe('concerned');
	});

	it('mentions a second colour that covers a good part of the picture', () => {
		const stats = imageStats({
			width: 10,
			height: 10,
			data: Uint8Array.from(
				{ length: 400 },
				(_v, i) => [255, 255, 255, 255, 200, 20, 20, 255][i % 8] ?? 0
			)
		});
		expect(stats.colours.map((c) => [c.name, c.share])).toEqual([
			['white', 0.5],
			['red', 0.5]
		]);
		expect(stats.brightness).toBeGreaterThan(0.5);
	});

	it('apologises for a picture it cannot read', () => {
		const answer = describeImage({
			mime: 'image/webp',
			width: 1,
			height: 1,
			data: Buffer.from('RIFF0000WEBPVP8 ').toString('base64')
		});
		expect(answer).toMatchObject({
			mood: 'concerned',
			text: expect.stringMatching(/^Sorry, I couldn't read that picture/)
		});
	});

	it.each([
		[[0, 0, 0], 'black'],
		[[255, 255, 255], 'white'],
		[[128, 128, 128], 'grey'],
		[[220, 30, 30], 'red'],
		[[240, 140, 20], 'orange'],
		[[230, 220, 40], 'yellow'],
		[[40, 180, 60], 'green'],
		[[30, 180, 180], 'teal'],
		[[30, 60, 220], 'blue'],
		[[130, 40, 200], 'purple'],
		[[230, 60, 160], 'pink'],
		[[100, 60, 20], 'brown']
	] as [[number, number, number], string][])('calls rgb%j %s', ([r, g, b], name) => {
		expect(colourName(r, g, b)).toBe(name);
	});
});
