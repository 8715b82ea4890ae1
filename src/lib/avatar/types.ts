/**
 * Names shared by the avatar's pure modules and its renderer. No three.js here, so the page can
 * import these types without pulling the 3D chunk.
 */
import { MOODS } from '$lib/protocol/server-messages';
import { isViseme, VISEMES, type Viseme } from './lipsync/visemes';

/** ARKit-named deformers the procedural head builds as morph targets (avatar.md's minimal set). */
export const DEFORMERS = [
	'jawOpen',
	'jawForward',
	'mouthFunnel',
	'mouthPucker',
	'mouthPressLeft',
	'mouthPressRight',
	'mouthDimpleLeft',
	'mouthDimpleRight',
	'mouthRollUpper',
	'mouthRollLower',
	'mouthShrugUpper',
	'mouthLowerDownLeft',
	'mouthLowerDownRight',
	'mouthUpperUpLeft',
	'mouthUpperUpRight',
	'mouthSmileLeft',
	'mouthSmileRight',
	'mouthFrownLeft',
	'mouthFrownRight',
	'tongueOut',
	'eyeBlinkLeft',
	'eyeBlinkRight',
	'eyeWideLeft',
	'eyeWideRight',
	'eyeSquintLeft',
	'eyeSquintRight',
	'browInnerUp',
	'browDownLeft',
	'browDownRight',
	'browOuterUpLeft',
	'browOuterUpRight',
	'cheekSquintLeft',
	'cheekSquintRight'
] as const;

/** One ARKit deformer name. */
export type Deformer = (typeof DEFORMERS)[number];

/** Weights per deformer, each in [0, 1]. */
export type DeformerWeights = Partial<Record<Deformer, number>>;

// One list of visemes (lip sync owns it) and one of connection states (the machine owns it).
// From state-names, not the machine's index: three.js's chunk imports this file, and SvelteKit
// 2.70 does not preload a chunk it first met behind a dynamic import, so an import of the
// machine here kept the connection's own chunk out of the page's modulepreloads (one more
// round trip before the socket).
export { isViseme, VISEMES, type Viseme };
export type { ConnectionStateName } from '$machines/state-names';

/**
 * The face's moods: every mood an answer can carry (the protocol's `Mood`), and `sad`, which no
 * answer carries: the face shows it when the connection has failed.
 */
export const FACE_MOODS = [...MOODS, 'sad'] as const;
export type FaceMood = (typeof FACE_MOODS)[number];

/** Every connection state name, for demos and tests. */
export { CONNECTION_STATE_NAMES as CONNECTION_STATES } from '$machines/state-names';

/** True when `name` is one of the deformers above. */
export function isDeformer(name: string): name is Deformer {
	return (DEFORMERS as readonly string[]).includes(name);
}

/** Where the avatar component stands: its code loading, drawing, no WebGL here, or failed. */
export type AvatarStatus = 'loading' | 'ready' | 'unsupported' | 'error';
