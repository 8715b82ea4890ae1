/**
 * The face the avatar rests at for each connection state, blended with the answer's mood
 * (avatar.md, "Expressions by connection state"). Pure data and one blending function.
 */
import type { ConnectionStateName, Deformer, DeformerWeights, FaceMood } from './types';

export type { ConnectionStateName, FaceMood } from './types';

/** Everything the animator eases toward: deformers plus eye, breath and head behaviour. */
export interface FaceTarget {
	/** Resting deformer weights, each in [0, 1]. */
	deformers: DeformerWeights;
	/** Resting gaze, normalised to [-1, 1]: x to the avatar's left of screen is -1, up is +1. */
	gazeX: number;
	gazeY: number;
	/** 0..1: how strongly the eyes (and a little the head) follow the pointer. */
	eyeContact: number;
	/** 0..1: how much the eyes look around on their own. */
	gazeWander: number;
	/** Mean seconds between random blinks. */
	blinkInterval: number;
	/** Seconds one blink takes, close and open. */
	blinkDuration: number;
	/** Breaths per minute. */
	breathRate: number;
	/** 0..1: how visible breathing is. */
	breathDepth: number;
	/** Resting head pitch in radians, positive looks down. */
	headPitch: number;
	/** Resting head roll in radians, positive tilts to the screen's left. */
	headRoll: number;
	/** 0..1: how grey the colours are. */
	desaturate: number;
}

/** What a mood adds on top of the state's face. */
export interface MoodLayer {
	deformers: DeformerWeights;
	/** Where the mood looks, if anywhere in particular. */
	gaze?: { x: number; y: number };
	/** Multiplies eye contact at full mood weight. */
	eyeContact?: number;
	headPitch?: number;
	headRoll?: number;
}

const BASE: Omit<FaceTarget, 'deformers'> = {
	gazeX: 0,
	gazeY: 0,
	eyeContact: 1,
	gazeWander: 0,
	blinkInterval: 4,
	blinkDuration: 0.18,
	breathRate: 12,
	breathDepth: 0.6,
	headPitch: 0,
	headRoll: 0,
	desaturate: 0
};

/** The face of each connection state before any mood. */
export const STATE_FACES: Readonly<Record<ConnectionStateName, Readonly<FaceTarget>>> = {
	// Asleep: lids all but closed, head dropped a little, slow deep breaths.
	idle: {
		...BASE,
		deformers: {
			eyeBlinkLeft: 0.92,
			eyeBlinkRight: 0.92,
			mouthSmileLeft: 0.08,
			mouthSmileRight: 0.08
		},
		gazeY: -0.4,
		eyeContact: 0,
		blinkInterval: 12,
		breathRate: 7,
		breathDepth: 1,
		headPitch: 0.12,
		headRoll: 0.06
	},
	// Searching: brows raised, eyes wide and looking around.
	connecting: {
		...BASE,
		deformers: {
			browInnerUp: 0.35,
			browOuterUpLeft: 0.35,
			browOuterUpRight: 0.35,
			eyeWideLeft: 0.3,
			eyeWideRight: 0.3
		},
		eyeContact: 0.2,
		gazeWander: 1,
		blinkInterval: 3,
		breathRate: 14
	},
	// Attentive: eyes on the user, light smile.
	open: {
		...BASE,
		deformers: {
			mouthSmileLeft: 0.3,
			mouthSmileRight: 0.3,
			cheekSquintLeft: 0.1,
			cheekSquintRight: 0.1
		}
	},
	// Worried: inner brows up, small frown, lips pressed, quicker breath.
	stale: {
		...BASE,
		deformers: {
			browInnerUp: 0.75,
			mouthFrownLeft: 0.35,
			mouthFrownRight: 0.35,
			mouthPressLeft: 0.25,
			mouthPressRight: 0.25,
			eyeWideLeft: 0.15,
			eyeWideRight: 0.15
		},
		eyeContact: 0.6,
		blinkInterval: 2.5,
		breathRate: 17
	},
	// Patient: soft smile, slow blinks, a glance up-left toward the badge.
	backingOff: {
		...BASE,
		deformers: {
			mouthSmileLeft: 0.12,
			mouthSmileRight: 0.12,
			browInnerUp: 0.2,
			eyeSquintLeft: 0.15,
			eyeSquintRight: 0.15
		},
		gazeX: -0.7,
		gazeY: 0.7,
		eyeContact: 0.15,
		blinkInterval: 3,
		blinkDuration: 0.5,
		breathRate: 9,
		headRoll: 0.04
	},
	// Sad and greyed: inner brows up, outer ends down, mouth turned down, eyes lowered.
	failed: {
		...BASE,
		deformers: {
			browInnerUp: 0.8,
			browDownLeft: 0.6,
			browDownRight: 0.6,
			mouthFrownLeft: 0.6,
			mouthFrownRight: 0.6,
			eyeBlinkLeft: 0.3,
			eyeBlinkRight: 0.3
		},
		gazeY: -0.45,
		eyeContact: 0.2,
		blinkInterval: 5,
		blinkDuration: 0.3,
		breathRate: 8,
		headPitch: 0.1,
		desaturate: 0.75
	}
};

/** What each mood adds at full weight. */
export const MOOD_LAYERS: Readonly<Record<FaceMood, Readonly<MoodLayer>>> = {
	neutral: { deformers: {} },
	happy: {
		deformers: {
			mouthSmileLeft: 0.6,
			mouthSmileRight: 0.6,
			cheekSquintLeft: 0.4,
			cheekSquintRight: 0.4,
			eyeSquintLeft: 0.2,
			eyeSquintRight: 0.2,
			browOuterUpLeft: 0.15,
			browOuterUpRight: 0.15
		},
		headRoll: 0.05
	},
	thinking: {
		deformers: {
			browDownLeft: 0.35,
			browOuterUpRight: 0.5,
			mouthPressLeft: 0.3,
			mouthPucker: 0.15,
			eyeSquintLeft: 0.15
		},
		gaze: { x: 0.6, y: 0.6 },
		eyeContact: 0.3,
		headRoll: -0.06
	},
	concerned: {
		deformers: {
			browInnerUp: 0.65,
			browDownLeft: 0.2,
			browDownRight: 0.2,
			mouthFrownLeft: 0.25,
			mouthFrownRight: 0.25,
			mouthPressLeft: 0.2,
			mouthPressRight: 0.2
		},
		headPitch: 0.04
	},
	sad: {
		deformers: {
			browInnerUp: 0.75,
			browDownLeft: 0.3,
			browDownRight: 0.3,
			mouthFrownLeft: 0.55,
			mouthFrownRight: 0.55,
			eyeBlinkLeft: 0.2,
			eyeBlinkRight: 0.2
		},
		gaze: { x: 0, y: -0.4 },
		eyeContact: 0.5,
		headPitch: 0.08
	}
};

/** How much the mood shows in each state: none while asleep, fully while talking. */
export const MOOD_WEIGHT: Readonly<Record<ConnectionStateName, number>> = {
	idle: 0,
	connecting: 0.3,
	open: 1,
	stale: 0.5,
	backingOff: 0.5,
	failed: 0.3
};

function clamp01(value: number): number {
	return Math.min(1, Math.max(0, value));
}

/**
 * The face to ease toward for a connection state and the current answer's mood: the state's face
 * plus the mood layer scaled by {@link MOOD_WEIGHT}. Returns a new object; deformers are clamped
 * to [0, 1].
 */
export function expressionTarget(state: ConnectionStateName, mood: FaceMood): FaceTarget {
	const face = STATE_FACES[state] ?? STATE_FACES.open;
	const layer = MOOD_LAYERS[mood] ?? MOOD_LAYERS.neutral;
	const weight = MOOD_WEIGHT[state] ?? 0;
	const deformers: DeformerWeights = { ...face.deformers };
	for (const [name, value] of Object.entries(layer.deformers) as [Deformer, number][]) {
		if (value * weight === 0) continue;
		deformers[name] = clamp01((deformers[name] ?? 0) + value * weight);
	}
	const gazeMix = layer.gaze ? weight * 0.8 : 0;
	return {
		...face,
		deformers,
		gazeX: face.gazeX + ((layer.gaze?.x ?? 0) - face.gazeX) * gazeMix,
		gazeY: face.gazeY + ((layer.gaze?.y ?? 0) - face.gazeY) * gazeMix,
		eyeContact: face.eyeContact * (1 + ((layer.eyeContact ?? 1) - 1) * weight),
		headPitch: face.headPitch + (layer.headPitch ?? 0) * weight,
		headRoll: face.headRoll + (layer.headRoll ?? 0) * weight
	};
}
