/** What a picture looks like in numbers: brightness and its main colours, from its pixels. */
import type { RgbaImage } from './image';

export interface ColourShare {
	name: string;
	/** 0..1 of the (opaque) pixels */
	share: number;
}

export interface ImageStats {
	width: number;
	height: number;
	/** mean luma, 0..1 */
	brightness: number;
	/** colour names by share, largest first */
	colours: ColourShare[];
}

/** Looks at up to ~40,000 evenly spread pixels; enough for a description, fast on big stills. */
export function imageStats(image: RgbaImage): ImageStats {
	const { width, height, data } = image;
	const step = Math.max(1, Math.floor(Math.sqrt((width * height) / 40_000)));
	const counts = new Map<string, number>();
	let luma = 0;
	let samples = 0;
	for (let y = 0; y < height; y += step) {
		for (let x = 0; x < width; x += step) {
			const i = (y * width + x) * 4;
			if ((data[i + 3] ?? 255) < 128) continue; // transparent pixels show nothing
			const r = data[i] ?? 0;
			const g = data[i + 1] ?? 0;
			const b = data[i + 2] ?? 0;
			luma += (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
			samples += 1;
			const name = colourName(r, g, b);
			counts.set(name, (counts.get(name) ?? 0) + 1);
		}
	}
	const colours = [...counts]
		.map(([name, count]) => ({ name, share: count / Math.max(1, samples) }))
		.sort((a, b) => b.share - a.share);
	return { width, height, brightness: samples ? luma / samples : 0, colours };
}

/** A plain colour word for one pixel, from its hue, saturation and lightness. */
export function colourName(r: number, g: number, b: number): string {
	const max = Math.max(r, g, b) / 255;
	const min = Math.min(r, g, b) / 255;
	const lightness = (max + min) / 2;
	const chroma = max - min;
	const saturation = chroma === 0 ? 0 : chroma / (1 - Math.abs(2 * lightness - 1));
	if (lightness < 0.1) return 'black';
	if (lightness > 0.92) return 'white';
	if (saturation < 0.18 || chroma < 0.08)
		return lightness < 0.35 ? 'dark grey' : lightness > 0.7 ? 'light grey' : 'grey';
	const hue = hueOf(r / 255, g / 255, b / 255, max, chroma);
	if ((hue < 45 || hue >= 345) && lightness < 0.35) return 'brown';
	if (hue < 15 || hue >= 345) return 'red';
	if (hue < 45) return 'orange';
	if (hue < 70) return 'yellow';
	if (hue < 165) return 'green';
	if (hue < 195) return 'teal';
	if (hue < 255) return 'blue';
	if (hue < 290) return 'purple';
	return 'pink';
}

function hueOf(r: number, g: number, b: number, max: number, chroma: number): number {
	let hue: number;
	if (max === r) hue = ((g - b) / chroma) % 6;
	else if (max === g) hue = (b - r) / chroma + 2;
	else hue = (r - g) / chroma + 4;
	return (hue * 60 + 360) % 360;
}
