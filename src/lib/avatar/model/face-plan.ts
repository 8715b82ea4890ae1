/**
 * Decides how the built-in head's animation drives a loaded model, from the names the model has:
 * Ready Player Me / Oculus `viseme_*` morphs or VRM's `aa ih ou ee oh` for the mouth, ARKit
 * blend shapes (or VRM presets) for the face, bones for head and eyes; and lists, in words,
 * what the model lacks. Pure data and functions, no three.js, so it is tested in Node.
 */
import { DEFORMERS, VISEMES, type Deformer, type Viseme } from '../types';

/** How the mouth follows the viseme timeline. */
export type MouthDrive = 'visemes' | 'vowels' | 'arkit' | 'jaw' | 'none';

/** VRM's five mouth expressions (VRM 0.x's A I U E O load under these names too). */
export const VRM_VOWELS = ['aa', 'ih', 'ou', 'ee', 'oh'] as const;
export type VrmVowel = (typeof VRM_VOWELS)[number];

/** The morph target an Oculus viseme has in Ready Player Me / TalkingHead models. */
export function visemeMorphName(viseme: Viseme): string {
	return `viseme_${viseme}`;
}

/** A mix of VRM's five vowels, one weight each, in `VRM_VOWELS` order. */
export type VowelMix = readonly [aa: number, ih: number, ou: number, ee: number, oh: number];

/** Each viseme as a mix of VRM's five vowels (closed lips and silence move nothing). */
export const VISEME_VOWELS: Readonly<Record<Viseme, VowelMix>> = {
	// [aa, ih, ou, ee, oh]
	sil: [0, 0, 0, 0, 0],
	PP: [0, 0, 0, 0, 0],
	FF: [0, 0.2, 0, 0, 0],
	TH: [0.2, 0.2, 0, 0, 0],
	DD: [0.2, 0.3, 0, 0, 0],
	kk: [0.3, 0.2, 0, 0, 0],
	CH: [0, 0, 0.4, 0.2, 0],
	SS: [0, 0.4, 0, 0, 0],
	nn: [0.2, 0.2, 0, 0, 0],
	RR: [0, 0, 0.4, 0, 0.2],
	aa: [1, 0, 0, 0, 0],
	E: [0, 0, 0, 1, 0],
	I: [0, 1, 0, 0, 0],
	O: [0, 0, 0, 0, 1],
	U: [0, 0, 1, 0, 0]
};

/** VRM preset expressions, each driven by the mean of these ARKit deformers. */
export const PRESET_SOURCES = {
	happy: ['mouthSmileLeft', 'mouthSmileRight'],
	sad: ['mouthFrownLeft', 'mouthFrownRight'],
	angry: ['browDownLeft', 'browDownRight'],
	surprised: ['eyeWideLeft', 'eyeWideRight'],
	relaxed: ['cheekSquintLeft', 'cheekSquintRight'],
	blinkLeft: ['eyeBlinkLeft'],
	blinkRight: ['eyeBlinkRight'],
	blink: ['eyeBlinkLeft', 'eyeBlinkRight']
} as const satisfies Record<string, readonly Deformer[]>;
export type PresetName = keyof typeof PRESET_SOURCES;

/** Deformers that make a mood visible (smile, frown, brows, lids, cheeks). */
const EXPRESSIVE = DEFORMERS.filter((name) =>
	/^(mouthSmile|mouthFrown|brow|eyeWide|eyeSquint|cheek)/.test(name)
);
const MOUTH = DEFORMERS.filter((name) => /^(mouth|jaw|tongue)/.test(name));

/** What a loaded model offers to be driven. */
export interface ModelTargets {
	/** Morph target names (glTF) or expression names, preset and custom (VRM). */
	names: ReadonlySet<string>;
	/** True for a VRM, whose expressions include presets. */
	vrm: boolean;
	head: boolean;
	eyes: boolean;
}

/** How to drive one model, and what it lacks. */
export interface FacePlan {
	mouth: MouthDrive;
	/** Visemes with a morph of their own (mouth `visemes`). */
	visemes: Viseme[];
	/** ARKit deformers the model has by name, driven from the animator's weights. */
	deformers: Deformer[];
	/**
	 * Deformers the animator may shape visemes from: the model's own ARKit mouth when it has no
	 * visemes or vowels, else none (the visemes move the mouth and nothing doubles it).
	 */
	visemeDeformers: ReadonlySet<string>;
	/** VRM presets driven from deformers the model does not have by name. */
	presets: PresetName[];
	blink: boolean;
	expressive: boolean;
	head: boolean;
	eyes: boolean;
	/** Sentences for the page: what will not move, and why. */
	problems: string[];
}

/** Plans the drive of a model; throws nothing (the caller rejects a model with nothing to drive). */
export function planFace(model: ModelTargets): FacePlan {
	const has = (name: string) => model.names.has(name);
	const deformers = DEFORMERS.filter(has);
	const visemes = VISEMES.filter((viseme) => viseme !== 'sil' && has(visemeMorphName(viseme)));
	const vowels = model.vrm && VRM_VOWELS.some(has);
	const arkitMouth = MOUTH.filter(has);
	const mouth: MouthDrive =
		visemes.length > 0
			? 'visemes'
			: vowels
				? 'vowels'
				: arkitMouth.some((name) => name !== 'jawOpen')
					? 'arkit'
					: has('jawOpen')
						? 'jaw'
						: 'none';
	const presets = model.vrm
		? (Object.keys(PRESET_SOURCES) as PresetName[]).filter(
				(preset) => has(preset) && !PRESET_SOURCES[preset].every(has)
			)
		: [];
	// A model with blinkLeft and blinkRight needs no both-eyes blink on top.
	const blinkPresets = presets.filter((p) => p.startsWith('blink'));
	const finalPresets =
		blinkPresets.includes('blinkLeft') && blinkPresets.includes('blinkRight')
			? presets.filter((p) => p !== 'blink')
			: presets;
	const blink =
		(has('eyeBlinkLeft') && has('eyeBlinkRight')) ||
		finalPresets.includes('blink') ||
		(finalPresets.includes('blinkLeft') && finalPresets.includes('blinkRight'));
	const expressive = EXPRESSIVE.some(has) || finalPresets.some((p) => !p.startsWith('blink'));

	const problems: string[] = [];
	if (mouth === 'none') problems.push('no visemes or mouth shapes: the mouth will not move');
	else if (mouth === 'jaw')
		problems.push('only jawOpen for the mouth: lip sync opens and closes the jaw');
	else if (mouth === 'visemes' && visemes.length < VISEMES.length - 1) {
		const missing = VISEMES.filter((v) => v !== 'sil' && !visemes.includes(v));
		problems.push(`no viseme_${missing.join(', viseme_')}: those sounds leave the mouth still`);
	}
	if (!blink) problems.push('no blink shapes: the eyes will not blink');
	if (!expressive) problems.push('no expression shapes (smile, frown, brows): moods will not show');
	if (!model.head) problems.push('no head bone: the head will not move');
	if (!model.eyes) problems.push('no eye bones: the eyes will not follow you');
	return {
		mouth,
		visemes,
		deformers,
		visemeDeformers: new Set(mouth === 'arkit' || mouth === 'jaw' ? arkitMouth : []),
		presets: finalPresets,
		blink,
		expressive,
		head: model.head,
		eyes: model.eyes,
		problems
	};
}

/** True when nothing of the face can be driven: no mouth, blink, expression or head. */
export function hasNothingToDrive(plan: FacePlan): boolean {
	return plan.mouth === 'none' && !plan.blink && !plan.expressive && !plan.head;
}
