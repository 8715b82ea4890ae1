/**
 * The 15 Oculus visemes as mixes of ARKit deformers (TalkingHead's recipe, avatar.md), plus the
 * jaw-only fallback for heads that lack a deformer. Pure data and functions, no three.js.
 */
import {
	DEFORMERS,
	VISEMES,
	isViseme,
	type Deformer,
	type DeformerWeights,
	type Viseme
} from './types';

/** A mix written with Left/Right pairs folded into one name, expanded below. */
type PairedMix = Record<string, number>;

const PAIRED = ['mouthPress', 'mouthDimple', 'mouthLowerDown', 'mouthUpperUp'] as const;

const KK: PairedMix = {
	mouthLowerDown: 0.4,
	mouthDimple: 0.3,
	mouthFunnel: 0.3,
	mouthPucker: 0.3,
	jawOpen: 0.15
};

/** The table from avatar.md, before expanding Left/Right. */
const PAIRED_MIXES: Record<Viseme, PairedMix> = {
	sil: {},
	PP: { mouthRollLower: 0.8, mouthRollUpper: 0.8, mouthUpperUp: 0.3 },
	FF: {
		mouthPucker: 1,
		mouthShrugUpper: 1,
		mouthLowerDown: 0.2,
		mouthDimple: 1,
		mouthRollLower: 1
	},
	TH: { mouthRollUpper: 0.6, jawOpen: 0.2, tongueOut: 0.4 },
	DD: { mouthPress: 0.8, mouthFunnel: 0.5, jawOpen: 0.2 },
	kk: KK,
	CH: { mouthPucker: 0.5, jawOpen: 0.2 },
	SS: { mouthPress: 0.8, mouthLowerDown: 0.5, jawOpen: 0.1 },
	nn: { ...KK, tongueOut: 0.2 },
	RR: { mouthPucker: 0.5, jawOpen: 0.2 },
	aa: { jawOpen: 0.6 },
	E: { mouthPress: 0.8, mouthDimple: 1, jawOpen: 0.3 },
	I: { mouthPress: 0.6, mouthDimple: 0.6, jawOpen: 0.2 },
	O: { mouthPucker: 1, jawForward: 0.6, jawOpen: 0.2 },
	U: { mouthFunnel: 1 }
};

/**
 * How far each viseme opens the jaw when the head has nothing but `jawOpen` (TalkingHead issue
 * 105): closed lips stay closed, open vowels open most.
 */
export const JAW_ONLY: Readonly<Record<Viseme, number>> = {
	sil: 0,
	PP: 0,
	FF: 0.05,
	TH: 0.2,
	DD: 0.2,
	kk: 0.2,
	CH: 0.25,
	SS: 0.1,
	nn: 0.2,
	RR: 0.25,
	aa: 0.6,
	E: 0.35,
	I: 0.25,
	O: 0.4,
	U: 0.2
};

/** Jaw opening used for a viseme name this table does not know. */
const UNKNOWN_VISEME_JAW = 0.3;

function expand(mix: PairedMix): DeformerWeights {
	const out: DeformerWeights = {};
	for (const [name, weight] of Object.entries(mix)) {
		if ((PAIRED as readonly string[]).includes(name)) {
			out[`${name}Left` as Deformer] = weight;
			out[`${name}Right` as Deformer] = weight;
		} else {
			out[name as Deformer] = weight;
		}
	}
	return out;
}

/** Each viseme's full mix, Left/Right expanded: the table the tests check. */
export const VISEME_MIXES: Readonly<Record<Viseme, Readonly<DeformerWeights>>> = Object.fromEntries(
	VISEMES.map((viseme) => [viseme, expand(PAIRED_MIXES[viseme])])
) as Record<Viseme, DeformerWeights>;

function clamp01(value: number): number {
	return value < 0 ? 0 : value > 1 ? 1 : Number.isFinite(value) ? value : 0;
}

/**
 * The deformer weights that shape `viseme` at strength `amount` (clamped to [0, 1]).
 * When `available` is given, deformers the head lacks are dropped and the jaw opens by the
 * viseme's jaw-only amount instead; an unknown viseme name opens the jaw a little. Never throws.
 */
export function visemeWeights(
	viseme: string,
	amount: number,
	available?: ReadonlySet<string>
): DeformerWeights {
	const strength = clamp01(amount);
	const has = (name: Deformer) => available === undefined || available.has(name);
	const out: DeformerWeights = {};
	if (!isViseme(viseme)) {
		if (has('jawOpen') && strength > 0) out.jawOpen = UNKNOWN_VISEME_JAW * strength;
		return out;
	}
	let missing = false;
	for (const [name, weight] of Object.entries(VISEME_MIXES[viseme]) as [Deformer, number][]) {
		if (has(name)) out[name] = clamp01(weight * strength);
		else missing = true;
	}
	if (missing && has('jawOpen')) {
		out.jawOpen = Math.max(out.jawOpen ?? 0, JAW_ONLY[viseme] * strength);
	}
	return out;
}

/**
 * The viseme table as a dense matrix, row per viseme (VISEMES order), column per deformer
 * (DEFORMERS order), with the same fallback as {@link visemeWeights}. The renderer multiplies
 * by it each frame without allocating.
 */
export function visemeMatrix(available?: ReadonlySet<string>): Float32Array {
	const matrix = new Float32Array(VISEMES.length * DEFORMERS.length);
	VISEMES.forEach((viseme, row) => {
		const weights = visemeWeights(viseme, 1, available);
		DEFORMERS.forEach((deformer, column) => {
			matrix[row * DEFORMERS.length + column] = weights[deformer] ?? 0;
		});
	});
	return matrix;
}
