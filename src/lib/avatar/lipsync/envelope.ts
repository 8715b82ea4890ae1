/**
 * The shape of one viseme over time: it starts rising a little before its sound (lips move
 * ahead of the voice), peaks just after the sound starts and fades after it ends, so that
 * neighbours overlap (TalkingHead's timings, avatar.md).
 */

/** When a viseme starting at `start` and lasting `duration` ms begins to show. */
export function envelopeRise(start: number, duration: number): number {
	return start - Math.min(60, (2 * duration) / 3);
}

/** When it is strongest. */
export function envelopePeak(start: number, duration: number): number {
	return start + Math.min(25, duration / 2);
}

/** When it has faded out. */
export function envelopeFall(start: number, duration: number): number {
	return start + duration + Math.min(60, duration / 2);
}

/** Smooth 0..1 ease, flat at both ends so the mouth does not jerk. */
function smoothstep(x: number): number {
	return x * x * (3 - 2 * x);
}

/**
 * Weight at time `t` of a viseme starting at `start`, lasting `duration` ms, peaking at `peak`:
 * 0 outside [rise, fall], rising smoothly to `peak`, then falling smoothly. Always in [0, peak].
 */
export function envelope(t: number, start: number, duration: number, peak: number): number {
	const rise = envelopeRise(start, duration);
	const fall = envelopeFall(start, duration);
	if (!(t > rise && t < fall)) return 0;
	const top = envelopePeak(start, duration);
	if (t <= top) return peak * smoothstep((t - rise) / (top - rise));
	return peak * smoothstep((fall - t) / (fall - top));
}
