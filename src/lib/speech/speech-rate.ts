/**
 * Learning how fast the voice speaks. Voices differ (and users set their own rate), so each
 * finished sentence tells us the real ms per duration unit; the next timeline uses the blend.
 */

export const MIN_MS_PER_UNIT = 35;
export const MAX_MS_PER_UNIT = 200;
/** Sentences shorter than this many units say too little about the rate. */
const MIN_UNITS = 4;
/** Weight of the newest measurement. */
const LEARNING = 0.4;

/**
 * The speaking rate after a sentence of `units` relative units took `elapsedMs` to say: a blend of
 * `current` and the measurement, kept within sane bounds. Unchanged for short or odd samples.
 */
export function learnRate(current: number, elapsedMs: number, units: number): number {
	if (!(units >= MIN_UNITS) || !(elapsedMs > 0)) return current;
	const measured = elapsedMs / units;
	const blended = current + LEARNING * (measured - current);
	return Math.min(MAX_MS_PER_UNIT, Math.max(MIN_MS_PER_UNIT, blended));
}
