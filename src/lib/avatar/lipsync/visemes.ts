/**
 * The 15 Oculus visemes and the numbers lip sync needs about them: relative durations (from
 * TalkingHead's English module, avatar.md) and the peak weight each reaches.
 */

/** Oculus viseme names, `sil` first. Same names as the avatar's morph table. */
export const VISEMES = [
	'sil',
	'PP',
	'FF',
	'TH',
	'DD',
	'kk',
	'CH',
	'SS',
	'nn',
	'RR',
	'aa',
	'E',
	'I',
	'O',
	'U'
] as const;

/** One Oculus viseme. */
export type Viseme = (typeof VISEMES)[number];

/** A weight in [0, 1] for every viseme: what the avatar takes each frame. */
export type VisemeWeights = Record<Viseme, number>;

/** Relative duration of each viseme, 1 = an average sound. */
export const VISEME_UNITS: Readonly<Record<Viseme, number>> = {
	sil: 1,
	PP: 1.08,
	FF: 1,
	TH: 1,
	DD: 1.05,
	kk: 1.21,
	// Not in the reference table; an affricate lasts about as long as a sibilant.
	CH: 1.2,
	SS: 1.23,
	nn: 0.88,
	RR: 0.88,
	aa: 0.95,
	E: 0.9,
	I: 0.92,
	O: 0.96,
	U: 0.95
};

/**
 * Peak weight of each viseme's envelope. Closed-lip shapes stop at 0.9 so the lips do not
 * clip through each other; open vowels go furthest, quick consonants less.
 */
export const VISEME_PEAK: Readonly<Record<Viseme, number>> = {
	sil: 0,
	PP: 0.9,
	FF: 0.9,
	TH: 0.7,
	DD: 0.65,
	kk: 0.6,
	CH: 0.75,
	SS: 0.7,
	nn: 0.6,
	RR: 0.7,
	aa: 1,
	E: 0.85,
	I: 0.8,
	O: 0.95,
	U: 0.9
};

/** Whether `name` is one of the 15 viseme names. */
export function isViseme(name: string): name is Viseme {
	return (VISEMES as readonly string[]).includes(name);
}

/** A fresh all-zero weight record (allocate once, then reuse it every frame). */
export function createVisemeWeights(): VisemeWeights {
	const out = {} as VisemeWeights;
	for (const viseme of VISEMES) out[viseme] = 0;
	return out;
}

/** Sets every weight of `out` to 0 and returns it. */
export function clearVisemeWeights(out: VisemeWeights): VisemeWeights {
	for (const viseme of VISEMES) out[viseme] = 0;
	return out;
}

/** Below this weight no viseme counts as shown. */
const SHOWN = 0.05;

/**
 * The strongest viseme in `weights`, or `sil` when none reaches 0.05. Accepts any record (a
 * timeline's output, a partial one) or nothing; names that are not visemes are ignored.
 */
export function strongestViseme(
	weights: Readonly<Partial<Record<string, number>>> | null | undefined
): Viseme {
	let best: Viseme = 'sil';
	let bestWeight = SHOWN;
	if (!weights) return best;
	for (const viseme of VISEMES) {
		const weight = weights[viseme] ?? 0;
		if (viseme !== 'sil' && weight >= bestWeight) {
			best = viseme;
			bestWeight = weight;
		}
	}
	return best;
}
