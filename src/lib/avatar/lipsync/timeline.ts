/**
 * A lip-sync timeline for one piece of text: when each word and each viseme happens, in ms from
 * the moment speech starts, plus the per-frame queries the avatar and the caption need. Built
 * once per sentence; queried every frame without allocating.
 */
import { envelope } from './envelope';
import { textToWords } from './text-to-visemes';
import {
	VISEME_PEAK,
	clearVisemeWeights,
	createVisemeWeights,
	type Viseme,
	type VisemeWeights
} from './visemes';

/** A word and when it is said. */
export interface TimelineWord {
	text: string;
	/** ms from speech start. */
	start: number;
	end: number;
	/** Index of the word's first character in the timeline's text. */
	charIndex: number;
}

/** A viseme and when it is shown. */
export interface TimelineViseme {
	viseme: Viseme;
	start: number;
	duration: number;
}

/** Words and visemes of one text, sorted by start. `reanchor` edits it in place. */
export interface Timeline {
	words: TimelineWord[];
	visemes: TimelineViseme[];
	/** ms from speech start to the end of the final pause. */
	duration: number;
	/** The cap used on viseme durations (bounds how far back a frame must look). */
	maxVisemeMs: number;
}

/** How to turn units into time. */
export interface TimelineOptions {
	/** ms per relative duration unit: the speaking rate (learned by the speaker). */
	msPerUnit?: number;
	/** Longest a single viseme may last, ms. */
	maxVisemeMs?: number;
}

export const DEFAULT_MS_PER_UNIT = 75;
export const DEFAULT_MAX_VISEME_MS = 200;
/** Envelopes reach at most this far before a viseme's start (see envelope.ts). */
const LEAD_MS = 60;
/** Float slack when matching a word's first viseme by its start time. */
const EPSILON = 1e-6;

/** Builds the timeline of `text` at a speaking rate; each word's visemes fill its duration. */
export function buildTimeline(text: string, options: TimelineOptions = {}): Timeline {
	const msPerUnit = options.msPerUnit ?? DEFAULT_MS_PER_UNIT;
	const maxVisemeMs = options.maxVisemeMs ?? DEFAULT_MAX_VISEME_MS;
	const words: TimelineWord[] = [];
	const visemes: TimelineViseme[] = [];
	let cursor = 0;
	for (const word of textToWords(text)) {
		const start = cursor;
		for (const { viseme, units } of word.visemes) {
			const duration = units * msPerUnit;
			visemes.push({ viseme, start: cursor, duration: Math.min(duration, maxVisemeMs) });
			cursor += duration;
		}
		words.push({ text: word.text, start, end: cursor, charIndex: word.charIndex });
		cursor += word.pauseAfter * msPerUnit;
	}
	return { words, visemes, duration: cursor, maxVisemeMs };
}

/** End of the last word, ms: how long the voice itself takes, without the final pause. */
export function speechEnd(timeline: Timeline): number {
	return timeline.words[timeline.words.length - 1]?.end ?? 0;
}

/** Index of the first item starting after `t` (binary search; words and visemes are sorted). */
function firstStartingAfter(items: readonly { start: number }[], t: number): number {
	let lo = 0;
	let hi = items.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if ((items[mid]?.start ?? Infinity) > t) hi = mid;
		else lo = mid + 1;
	}
	return lo;
}

const SHARED_WEIGHTS = createVisemeWeights();

/**
 * The weight of every viseme at `t` ms after speech start: overlapping envelopes, the strongest
 * kept per viseme, all in [0, 1] and all 0 before the first and after the last. Writes into `out`
 * (by default one shared record, overwritten by the next call) and allocates nothing.
 */
export function weightsAt(
	timeline: Timeline,
	t: number,
	out: VisemeWeights = SHARED_WEIGHTS
): VisemeWeights {
	clearVisemeWeights(out);
	const { visemes } = timeline;
	const earliest = t - timeline.maxVisemeMs - LEAD_MS;
	for (let i = firstStartingAfter(visemes, t + LEAD_MS) - 1; i >= 0; i--) {
		const v = visemes[i];
		if (!v || v.start < earliest) break;
		const weight = envelope(t, v.start, v.duration, VISEME_PEAK[v.viseme]);
		if (weight > out[v.viseme]) out[v.viseme] = weight;
	}
	return out;
}

/**
 * Index of the word to highlight at `t` (karaoke): the last word that has started, kept through
 * the pause after it; -1 before the first word and once the timeline is over.
 */
export function wordAt(timeline: Timeline, t: number): number {
	if (!(t >= 0 && t < timeline.duration)) return -1;
	return firstStartingAfter(timeline.words, t) - 1;
}

/** Index of the word containing `charIndex`, else the first word after it, else -1. */
export function wordIndexAtChar(timeline: Timeline, charIndex: number): number {
	return timeline.words.findIndex((w) => charIndex < w.charIndex + w.text.length);
}

/**
 * Re-anchors the timeline on a `boundary` event: the word at `charIndex` starts at `t`. The word
 * before it is stretched or squeezed to fit (the voice just told us how long it took) and
 * everything after moves with it. Edits `timeline` in place; returns the shift in ms.
 */
export function reanchor(timeline: Timeline, charIndex: number, t: number): number {
	const { words, visemes } = timeline;
	const index = wordIndexAtChar(timeline, charIndex);
	const word = words[index];
	if (!word) return 0;
	const previous = words[index - 1];
	// Never move a word before the one ahead of it: keeps both lists sorted.
	const start = previous ? Math.max(t, previous.start + 1) : t;
	const shift = start - word.start;
	if (shift === 0) return 0;
	// Index ranges first, from the old times: [from, to) is the previous word, [to, end) the rest.
	const to = firstStartingAfter(visemes, word.start - EPSILON);
	if (previous) {
		const from = firstStartingAfter(visemes, previous.start - EPSILON);
		const scale = (start - previous.start) / (word.start - previous.start);
		for (let i = from; i < to; i++) {
			const v = visemes[i] as TimelineViseme;
			v.start = previous.start + (v.start - previous.start) * scale;
			v.duration = Math.min(v.duration * scale, timeline.maxVisemeMs);
		}
		previous.end = previous.start + (previous.end - previous.start) * scale;
	}
	for (let i = to; i < visemes.length; i++) (visemes[i] as TimelineViseme).start += shift;
	for (let i = index; i < words.length; i++) {
		const w = words[i] as TimelineWord;
		w.start += shift;
		w.end += shift;
	}
	timeline.duration += shift;
	return shift;
}
