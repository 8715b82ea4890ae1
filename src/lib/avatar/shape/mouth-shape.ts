/**
 * The lips as a handful of numbers (corner positions, lip lines, thickness, protrusion, jaw) and
 * the contour they describe. Each mouth deformer is a change of these numbers; the mouth parts
 * are built from the neutral numbers and from each deformer's numbers, and the difference
 * becomes that deformer's morph target. Pure math, no three.js.
 */
import type { Deformer } from '../types';
import { LAYOUT, smoothstep, surfaceZ, type Vec3 } from './head-surface';
import { jawMotion } from './skin-deform';

/** The mouth's shape. L/R are the avatar's left (+x) and right (-x). */
export interface MouthParams {
	halfWidthL: number;
	halfWidthR: number;
	cornerYL: number;
	cornerYR: number;
	cornerZL: number;
	cornerZR: number;
	/** Inner line of the upper lip at the middle, above the closed seam. */
	upperY: number;
	/** Inner line of the lower lip at the middle, below the seam when negative. */
	lowerY: number;
	upperUpL: number;
	upperUpR: number;
	lowerDownL: number;
	lowerDownR: number;
	upperThick: number;
	lowerThick: number;
	upperDepth: number;
	lowerDepth: number;
	upperZ: number;
	lowerZ: number;
	pressL: number;
	pressR: number;
	rollUpper: number;
	rollLower: number;
	/** 0: a wide parabola of an opening, 1: a round O. */
	round: number;
	jaw: number;
	jawForward: number;
	tongueOut: number;
}

/** The resting mouth: closed, gently curved lips. */
export const NEUTRAL_MOUTH: Readonly<MouthParams> = {
	halfWidthL: LAYOUT.mouthHalfWidth,
	halfWidthR: LAYOUT.mouthHalfWidth,
	cornerYL: 0.005,
	cornerYR: 0.005,
	cornerZL: -0.01,
	cornerZR: -0.01,
	upperY: 0,
	lowerY: 0,
	upperUpL: 0,
	upperUpR: 0,
	lowerDownL: 0,
	lowerDownR: 0,
	upperThick: 0.056,
	lowerThick: 0.07,
	upperDepth: 0.03,
	lowerDepth: 0.034,
	upperZ: 0,
	lowerZ: 0,
	pressL: 0,
	pressR: 0,
	rollUpper: 0,
	rollLower: 0,
	round: 0,
	jaw: 0,
	jawForward: 0,
	tongueOut: 0
};

/** How each mouth deformer changes the numbers at full weight. */
export const MOUTH_DELTAS: Readonly<Partial<Record<Deformer, Partial<MouthParams>>>> = {
	jawOpen: { jaw: 1 },
	jawForward: { jawForward: 1 },
	mouthFunnel: {
		halfWidthL: -0.065,
		halfWidthR: -0.065,
		upperY: 0.03,
		lowerY: -0.035,
		upperZ: 0.05,
		lowerZ: 0.05,
		cornerZL: 0.02,
		cornerZR: 0.02,
		upperDepth: 0.012,
		lowerDepth: 0.012,
		round: 1
	},
	mouthPucker: {
		halfWidthL: -0.09,
		halfWidthR: -0.09,
		upperZ: 0.07,
		lowerZ: 0.065,
		cornerZL: 0.03,
		cornerZR: 0.03,
		upperThick: 0.015,
		lowerThick: 0.012,
		upperDepth: 0.015,
		lowerDepth: 0.015,
		round: 1
	},
	mouthPressLeft: { pressL: 1 },
	mouthPressRight: { pressR: 1 },
	mouthDimpleLeft: { halfWidthL: 0.035, cornerZL: -0.02 },
	mouthDimpleRight: { halfWidthR: 0.035, cornerZR: -0.02 },
	// Rolled lips tuck in past the seam, so a rolled mouth stays shut.
	mouthRollUpper: { rollUpper: 1, upperY: -0.012 },
	mouthRollLower: { rollLower: 1, lowerY: 0.012 },
	mouthShrugUpper: { upperY: 0.012, upperZ: 0.02 },
	mouthLowerDownLeft: { lowerDownL: 0.045 },
	mouthLowerDownRight: { lowerDownR: 0.045 },
	mouthUpperUpLeft: { upperUpL: 0.028 },
	mouthUpperUpRight: { upperUpR: 0.028 },
	mouthSmileLeft: { cornerYL: 0.09, halfWidthL: 0.03, cornerZL: -0.025 },
	mouthSmileRight: { cornerYR: 0.09, halfWidthR: 0.03, cornerZR: -0.025 },
	mouthFrownLeft: { cornerYL: -0.07, lowerZ: 0.006 },
	mouthFrownRight: { cornerYR: -0.07, lowerZ: 0.006 },
	tongueOut: { tongueOut: 1 }
};

/** The neutral mouth changed by one deformer at full weight (or neutral for null). */
export function mouthParamsFor(deformer: Deformer | null): MouthParams {
	const params: MouthParams = { ...NEUTRAL_MOUTH };
	const delta = deformer ? MOUTH_DELTAS[deformer] : undefined;
	if (delta) {
		for (const [key, value] of Object.entries(delta) as [keyof MouthParams, number][]) {
			params[key] += value;
		}
	}
	return params;
}

/** One point of a lip's inner line, in face coordinates, with its cross-section. */
export interface LipSample {
	/** Inner line point before the jaw moves (x, y) and its protrusion over the skin (z). */
	x: number;
	y: number;
	z: number;
	/** Vertical thickness of the lip and half its depth out of the skin. */
	thick: number;
	depth: number;
	/** How the jaw moves this point. */
	dy: number;
	dz: number;
}

/** Creates a sample to reuse with {@link lipSample}. */
export function newLipSample(): LipSample {
	return { x: 0, y: 0, z: 0, thick: 0, depth: 0, dy: 0, dz: 0 };
}

const motion: Vec3 = [0, 0, 0];

/** Lip thickness along the mouth: full in the middle, a cupid's bow dip, pointed corners. */
function thicknessProfile(a: number, upper: boolean): number {
	const body = Math.sqrt(Math.max(0, 1 - a ** 6)) * (0.22 + 0.78 * Math.max(0, 1 - a * a) ** 0.8);
	return upper ? body * (1 - 0.16 * Math.exp(-((a / 0.1) ** 2))) : body;
}

/**
 * The upper or lower lip at s in [-1, 1] (right corner to left corner) for mouth `p`, written
 * to `out`. Corners of both lips coincide, so the lips always meet there.
 */
export function lipSample(p: MouthParams, s: number, upper: boolean, out: LipSample): LipSample {
	const a = Math.min(1, Math.abs(s));
	const wL = smoothstep(-0.5, 0.5, s);
	const side = (left: number, right: number) => wL * left + (1 - wL) * right;
	const parabola = 1 - a * a;
	const bell = parabola + (Math.sqrt(parabola) - parabola) * p.round;
	const cornerY = side(p.cornerYL, p.cornerYR);
	const cornerZ = side(p.cornerZL, p.cornerZR);
	const press = side(p.pressL, p.pressR);
	const inner = 1 - a * a * a;
	out.x = s * side(p.halfWidthL, p.halfWidthR);
	if (upper) {
		out.y = cornerY * (1 - bell) + p.upperY * bell + side(p.upperUpL, p.upperUpR) * inner;
		out.z = cornerZ * (1 - bell) + p.upperZ * bell - 0.03 * p.rollUpper * parabola;
		out.thick = p.upperThick * thicknessProfile(a, true) * (1 - 0.45 * press);
		out.thick *= 1 - 0.75 * p.rollUpper;
		out.depth = p.upperDepth * (0.35 + 0.65 * Math.sqrt(parabola)) * (1 - 0.5 * p.rollUpper);
	} else {
		out.y = cornerY * (1 - bell) + p.lowerY * bell - side(p.lowerDownL, p.lowerDownR) * inner;
		out.z = cornerZ * (1 - bell) + p.lowerZ * bell - 0.03 * p.rollLower * parabola;
		out.thick = p.lowerThick * thicknessProfile(a, false) * (1 - 0.45 * press);
		out.thick *= 1 - 0.75 * p.rollLower;
		out.depth = p.lowerDepth * (0.35 + 0.65 * Math.sqrt(parabola)) * (1 - 0.5 * p.rollLower);
	}
	out.z -= 0.008 * press;
	// The lower lip rides the jaw; the upper lip only at its corners, so the corners stay joined.
	const jawWeight = upper ? 0.3 * a ** 4 : 0.3 + 0.7 * parabola;
	const y = LAYOUT.mouthY + out.y;
	jawMotion(y, surfaceZ(out.x, y), p.jaw * jawWeight, p.jawForward * jawWeight, motion);
	out.dy = motion[1];
	out.dz = motion[2];
	return out;
}
