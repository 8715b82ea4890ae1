/** A spoken description of a camera still, from its pixels alone. */
import { decodeImage } from './image';
import { imageStats, type ImageStats } from './image-stats';
import type { ImageInput, Mood } from './types';

export interface Answer {
	text: string;
	mood: Mood;
}

/** Describes a still: size, brightness and main colours; an apology if it cannot be read. */
export function describeImage(image: ImageInput): Answer {
	let stats: ImageStats;
	try {
		stats = imageStats(decodeImage(Buffer.from(image.data, 'base64')));
	} catch (error) {
		const why = error instanceof Error ? error.message : 'unknown problem';
		return {
			text: `Sorry, I couldn't read that picture (${why}). Could you send a JPEG or PNG still?`,
			mood: 'concerned'
		};
	}
	return describeStats(stats);
}

/** The sentences for a picture's numbers. */
export function describeStats(stats: ImageStats): Answer {
	const percent = Math.round(stats.brightness * 100);
	const [main, second] = stats.colours;
	const parts = [
		`I see a ${stats.width} by ${stats.height} picture.`,
		`It is ${brightnessWord(stats.brightness)} overall, about ${percent}% brightness`
	];
	if (main) {
		const share = Math.round(main.share * 100);
		parts[1] += `, and mostly ${main.name} (${share}% of it)`;
		if (second && second.share >= 0.15) parts[1] += `, with some ${second.name}`;
	}
	parts[1] += '.';
	if (stats.brightness < 0.12) {
		parts.push('It is very dark: is the camera covered, or the light off?');
		return { text: parts.join(' '), mood: 'concerned' };
	}
	return { text: parts.join(' '), mood: 'thinking' };
}

function brightnessWord(brightness: number): string {
	if (brightness < 0.15) return 'very dark';
	if (brightness < 0.35) return 'rather dark';
	if (brightness < 0.65) return 'moderately lit';
	if (brightness < 0.85) return 'bright';
	return 'very bright';
}
