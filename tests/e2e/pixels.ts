/**
 * Pixels of avatar screenshots, decoded in the page (no image library in Node): the share of
 * coloured pixels, and the share that changed between two shots; and a shot of a face at rest.
 */
import { expect, type Locator, type Page } from '@playwright/test';

/** Part of a screenshot, as fractions of its width and height. */
export type Region = [x: number, y: number, width: number, height: number];

/** Decodes PNGs in the page (no image library in Node) and compares or measures their pixels. */
export async function pixelStats(page: Page, a: Buffer, b?: Buffer, region: Region = [0, 0, 1, 1]) {
	return page.evaluate(
		async ({ first, second, region: [rx, ry, rw, rh] }) => {
			const load = async (base64: string) => {
				const image = new Image();
				image.src = `data:image/png;base64,${base64}`;
				await image.decode();
				const canvas = document.createElement('canvas');
				canvas.width = image.width;
				canvas.height = image.height;
				const context = canvas.getContext('2d', { willReadFrequently: true })!;
				context.drawImage(image, 0, 0);
				const x = Math.round(rx * image.width);
				const y = Math.round(ry * image.height);
				return context.getImageData(
					x,
					y,
					Math.round(rw * image.width),
					Math.round(rh * image.height)
				);
			};
			const one = await load(first);
			const two = second ? await load(second) : null;
			let coloured = 0;
			let changed = 0;
			for (let i = 0; i < one.data.length; i += 4) {
				const [r, g, bl] = [one.data[i]!, one.data[i + 1]!, one.data[i + 2]!];
				// The page behind the canvas is a pale grey-lilac; skin, hair, lips and shirt are not.
				if (Math.max(r, g, bl) - Math.min(r, g, bl) > 40) coloured++;
				if (two) {
					const d =
						Math.abs(r - two.data[i]!) +
						Math.abs(g - two.data[i + 1]!) +
						Math.abs(bl - two.data[i + 2]!);
					if (d > 30) changed++;
				}
			}
			const pixels = one.data.length / 4;
			return { coloured: coloured / pixels, changed: changed / pixels };
		},
		{ first: a.toString('base64'), second: b?.toString('base64'), region }
	);
}

/**
 * A screenshot of the face at rest: the avatar says its last frame drew exactly what the one
 * before did (`data-face-still`), and two screenshots in a row agree (the frame has reached the
 * screen). Only with `?adapt=0` is every frame drawn at one size.
 */
export async function settled(target: Locator): Promise<Buffer> {
	let previous: Buffer = Buffer.alloc(0);
	let current = previous;
	await expect(async () => {
		await expect(target).toHaveAttribute('data-face-still', 'true', { timeout: 0 });
		previous = current;
		current = await target.screenshot();
		expect(current.equals(previous)).toBe(true);
	}).toPass({ timeout: 30_000, intervals: [300] });
	return current;
}
