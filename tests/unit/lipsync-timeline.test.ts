import { describe, expect, it } from 'vitest';
import { envelope, envelopeFall, envelopePeak, envelopeRise } from '$lib/avatar/lipsync/envelope';
import {
	buildTimeline,
	reanchor,
	speechEnd,
	weightsAt,
	wordAt,
	type Timeline
} from '$lib/avatar/lipsync/timeline';
import { VISEMES, createVisemeWeights, strongestViseme } from '$lib/avatar/lipsync/visemes';

/** Times from `from` to `to` every `step` ms. */
function times(from: number, to: number, step = 5): number[] {
	const out: number[] = [];
	for (let t = from; t <= to; t += step) out.push(t);
	return out;
}

function total(timeline: Timeline, t: number): number {
	const weights = weightsAt(timeline, t);
	return VISEMES.reduce((sum, v) => sum + weights[v], 0);
}

function isSorted(values: number[]): boolean {
	return values.every((v, i) => i === 0 || (values[i - 1] ?? -Infinity) <= v);
}

describe('envelope', () => {
	it('rises before the sound, peaks just after it starts and fades after it ends', () => {
		const [start, d] = [1000, 120];
		expect(envelopeRise(start, d)).toBe(940);
		expect(envelopePeak(start, d)).toBe(1025);
		expect(envelopeFall(start, d)).toBe(1180);
		expect(envelope(970, start, d, 0.8)).toBeGreaterThan(0);
		expect(envelope(1025, start, d, 0.8)).toBeCloseTo(0.8);
		expect(envelope(940, start, d, 0.8)).toBe(0);
		expect(envelope(1180, start, d, 0.8)).toBe(0);
	});

	it('uses shorter lead and tail for short visemes', () => {
		expect(envelopeRise(0, 30)).toBe(-20);
		expect(envelopePeak(0, 30)).toBe(15);
		expect(envelopeFall(0, 30)).toBe(45);
	});
});

describe('buildTimeline', () => {
	it('scales every time with the speaking rate', () => {
		const slow = buildTimeline('Hello there, friend.', { msPerUnit: 100, maxVisemeMs: 1000 });
		const fast = buildTimeline('Hello there, friend.', { msPerUnit: 50, maxVisemeMs: 1000 });
		expect(slow.duration).toBeCloseTo(2 * fast.duration);
		slow.words.forEach((word, i) =>
			expect(word.start).toBeCloseTo(2 * (fast.words[i]?.start ?? NaN))
		);
		slow.visemes.forEach((v, i) =>
			expect(v.duration).toBeCloseTo(2 * (fast.visemes[i]?.duration ?? NaN))
		);
	});

	it('caps a single viseme at 200 ms without shortening the word', () => {
		const timeline = buildTimeline('Slow words', { msPerUnit: 400 });
		expect(Math.max(...timeline.visemes.map((v) => v.duration))).toBe(200);
		const first = timeline.words[0];
		expect((first?.end ?? 0) - (first?.start ?? 0)).toBeGreaterThan(200 * 2);
	});

	it('makes a comma pause three times a space and a sentence end longer still', () => {
		const gap = (text: string) => {
			const [a, b] = buildTimeline(text, { msPerUnit: 80 }).words;
			return (b?.start ?? NaN) - (a?.end ?? NaN);
		};
		expect(gap('one two')).toBeCloseTo(80);
		expect(gap('one,two')).toBeCloseTo(3 * 80);
		expect(gap('one. Two')).toBeGreaterThan(gap('one, two'));
	});

	it('puts each word’s visemes inside the word, in order', () => {
		const timeline = buildTimeline('Talk to me, please.');
		expect(isSorted(timeline.visemes.map((v) => v.start))).toBe(true);
		for (const word of timeline.words) {
			const inside = timeline.visemes.filter((v) => v.start >= word.start && v.start < word.end);
			expect(inside.length).toBeGreaterThan(0);
		}
		expect(speechEnd(timeline)).toBe(timeline.words.at(-1)?.end);
		expect(timeline.duration).toBeGreaterThan(speechEnd(timeline));
	});

	it('gives empty text an empty timeline', () => {
		expect(buildTimeline('  ')).toEqual({ words: [], visemes: [], duration: 0, maxVisemeMs: 200 });
	});
});

describe('weightsAt', () => {
	const timeline = buildTimeline('Mom sees the father think.', { msPerUnit: 80 });

	it('is silent before speech starts and after it ends', () => {
		expect(total(timeline, -100)).toBe(0);
		expect(total(timeline, timeline.duration + 100)).toBe(0);
		expect(strongestViseme(weightsAt(timeline, -100))).toBe('sil');
	});

	it('keeps every weight within [0, 1] all the way through', () => {
		for (const t of times(-100, timeline.duration + 100)) {
			const weights = weightsAt(timeline, t);
			for (const v of VISEMES) {
				expect(weights[v]).toBeGreaterThanOrEqual(0);
				expect(weights[v]).toBeLessThanOrEqual(1);
			}
		}
	});

	it('overlaps neighbouring visemes', () => {
		const overlapping = times(0, timeline.duration).filter((t) => {
			const weights = weightsAt(timeline, t);
			return VISEMES.filter((v) => weights[v] > 0).length >= 2;
		});
		expect(overlapping.length).toBeGreaterThan(10);
	});

	it('shows closed lips at 0.9 when "Mom" begins', () => {
		const first = timeline.visemes[0];
		const weights = weightsAt(timeline, envelopePeak(first?.start ?? 0, first?.duration ?? 0));
		expect(strongestViseme(weights)).toBe('PP');
		expect(weights.PP).toBeCloseTo(0.9);
	});

	it('writes into the record it is given and returns it', () => {
		const out = createVisemeWeights();
		expect(weightsAt(timeline, 50, out)).toBe(out);
		expect(weightsAt(timeline, timeline.duration + 500, out).PP).toBe(0);
	});
});

describe('wordAt', () => {
	const timeline = buildTimeline('One, two three.', { msPerUnit: 80 });
	const [one, two, three] = timeline.words;

	it('highlights nothing before speech starts and after it is over', () => {
		expect(wordAt(timeline, -1)).toBe(-1);
		expect(wordAt(timeline, timeline.duration)).toBe(-1);
	});

	it('highlights the word being said and keeps it through the pause after it', () => {
		expect(wordAt(timeline, one?.start ?? NaN)).toBe(0);
		expect(wordAt(timeline, ((one?.end ?? 0) + (two?.start ?? 0)) / 2)).toBe(0);
		expect(wordAt(timeline, two?.start ?? NaN)).toBe(1);
		expect(wordAt(timeline, (three?.end ?? 0) + 1)).toBe(2);
	});
});

describe('reanchor', () => {
	it('moves the word at the boundary and everything after it', () => {
		const timeline = buildTimeline('One two three', { msPerUnit: 80 });
		const before = structuredClone(timeline);
		const two = timeline.words[1];
		const shift = reanchor(timeline, 4, (two?.start ?? 0) + 100);
		expect(shift).toBe(100);
		expect(timeline.words[1]?.start).toBe((before.words[1]?.start ?? 0) + 100);
		expect(timeline.words[2]?.end).toBe((before.words[2]?.end ?? 0) + 100);
		expect(timeline.duration).toBe(before.duration + 100);
		expect(timeline.visemes.at(-1)?.start).toBe((before.visemes.at(-1)?.start ?? 0) + 100);
		expect(timeline.words[0]?.start).toBe(0);
	});

	it('stretches the word before the boundary to fill the time it really took', () => {
		const timeline = buildTimeline('One two', { msPerUnit: 80 });
		const oneEnd = timeline.words[0]?.end ?? 0;
		reanchor(timeline, 4, (timeline.words[1]?.start ?? 0) * 1.5);
		expect(timeline.words[0]?.end).toBeCloseTo(oneEnd * 1.5);
		expect(isSorted(timeline.visemes.map((v) => v.start))).toBe(true);
	});

	it('finds the word from any character inside it', () => {
		const timeline = buildTimeline('One two', { msPerUnit: 80 });
		reanchor(timeline, 5, 1000);
		expect(timeline.words[1]?.start).toBe(1000);
	});

	it('never moves a word before the word ahead of it', () => {
		const timeline = buildTimeline('One two three', { msPerUnit: 80 });
		reanchor(timeline, 8, 0);
		const starts = timeline.words.map((w) => w.start);
		expect(isSorted(starts)).toBe(true);
		expect(starts[2]).toBeGreaterThan(starts[1] ?? Infinity);
		expect(isSorted(timeline.visemes.map((v) => v.start))).toBe(true);
	});

	it('leaves the timeline alone for a character after the last word', () => {
		const timeline = buildTimeline('One two', { msPerUnit: 80 });
		const before = structuredClone(timeline);
		expect(reanchor(timeline, 99, 5000)).toBe(0);
		expect(timeline).toEqual(before);
	});
});
