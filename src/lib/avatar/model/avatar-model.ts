/**
 * A loaded .glb or .vrm made drivable like the built-in head: each frame it takes the same
 * FaceAnimator output (viseme weights, ARKit deformer weights, gaze, head sway, breath) and sets
 * the model's morph targets or VRM expressions and turns its bones. It owns its scene, camera and
 * lights; the Avatar renders it in place of the built-in head and `dispose()` frees it all.
 */
import type { VRM } from '@pixiv/three-vrm';
import { Mesh, PerspectiveCamera, Scene, type Material, type Object3D } from 'three';
import type { FaceAnimator } from '../animator';
import { greyable, type DesaturateUniform } from '../desaturate';
import { addStudioLights } from '../scene';
import { DEFORMERS, VISEMES, type Deformer, type Viseme } from '../types';
import { BoneTurn, findBonesByName, type FaceBones } from './bones';
import { disposeObject } from './dispose-object';
import {
	PRESET_SOURCES,
	VISEME_VOWELS,
	VRM_VOWELS,
	hasNothingToDrive,
	planFace,
	visemeMorphName,
	type FacePlan
} from './face-plan';
import { frameHead, headRegion, type HeadRegion } from './framing';
import { ModelError } from './model-error';

/** A parsed model before it is made drivable. */
export interface ParsedModel {
	/** The file name or address, for messages. */
	name: string;
	kind: 'glb' | 'vrm';
	/** The glTF scene (for a VRM, `vrm.scene`). */
	root: Object3D;
	vrm: VRM | null;
}

/** Where a channel's value comes from each frame. */
const Source = { Viseme: 0, Deformer: 1, Vowel: 2, Preset: 3 } as const;
type Source = (typeof Source)[keyof typeof Source];

/** A target counts as active (for `activeTargets`) at this weight and above. */
const ACTIVE = 0.25;
/** Of the head's turn, the neck takes this share when the model has one. */
const NECK_SHARE = 0.4;
const FOV = 22;
const DEGREES = 180 / Math.PI;

const VOWEL_MATRIX = Float32Array.from(VISEMES.flatMap((viseme: Viseme) => VISEME_VOWELS[viseme]));
const PRESET_NAMES = Object.keys(PRESET_SOURCES) as (keyof typeof PRESET_SOURCES)[];
const PRESET_DEFORMERS = PRESET_NAMES.map((preset) =>
	PRESET_SOURCES[preset].map((name: Deformer) => DEFORMERS.indexOf(name))
);

/** A model the Avatar can show and drive. */
export class AvatarModel {
	readonly name: string;
	readonly kind: 'glb' | 'vrm';
	readonly scene = new Scene();
	readonly camera = new PerspectiveCamera(FOV, 1, 0.01, 100);
	readonly plan: FacePlan;
	/** Told when the set of targets at or above 0.25 changes (space-separated, sorted names). */
	onActiveChange: ((names: string) => void) | null = null;

	private readonly root: Object3D;
	private readonly vrm: VRM | null;
	private readonly region: HeadRegion;
	private readonly names: string[] = [];
	private readonly kinds: Source[] = [];
	private readonly sources: number[] = [];
	private readonly values: Float32Array;
	private readonly active: Uint8Array;
	private readonly vowels = new Float32Array(VRM_VOWELS.length);
	// Morph sinks (glTF): channel c writes influences[index] of mesh.
	private readonly sinkMeshes: Mesh[] = [];
	private readonly sinkIndices: number[] = [];
	private readonly sinkChannels: number[] = [];
	private readonly head: BoneTurn | null;
	private readonly neck: BoneTurn | null;
	private readonly eyes: [BoneTurn, BoneTurn] | null;
	private readonly chest: BoneTurn | null;
	/** Greys every material of the model, as the built-in head's are in the failed state. */
	private readonly desaturate: DesaturateUniform = { value: 0 };
	private activeNames = '';
	private disposed = false;

	/** Makes `parsed` drivable; throws a {@link ModelError} when it has no face to drive. */
	constructor(parsed: ParsedModel) {
		this.name = parsed.name;
		this.kind = parsed.kind;
		this.root = parsed.root;
		this.vrm = parsed.vrm;
		this.scene.add(this.root);
		addStudioLights(this.scene);
		this.vrm?.update(0);
		this.scene.updateMatrixWorld(true);

		const bones = this.vrm ? vrmBones(this.vrm) : findBonesByName(this.root);
		const morphMeshes: Mesh[] = [];
		const materials = new Set<Material>();
		this.root.traverse((node) => {
			if (!(node instanceof Mesh)) return;
			if (node.morphTargetDictionary && node.morphTargetInfluences) morphMeshes.push(node);
			for (const material of [node.material].flat() as Material[]) materials.add(material);
		});
		for (const material of materials) greyable(material, this.desaturate);
		const names = new Set<string>();
		if (this.vrm?.expressionManager) {
			for (const expression of this.vrm.expressionManager.expressions)
				names.add(expression.expressionName);
		} else {
			for (const mesh of morphMeshes)
				for (const name in mesh.morphTargetDictionary) names.add(name);
		}
		const eyes = this.vrm
			? this.vrm.lookAt !== null
			: bones.leftEye !== null && bones.rightEye !== null;
		this.plan = planFace({ names, vrm: this.vrm !== null, head: bones.head !== null, eyes });
		if (hasNothingToDrive(this.plan)) {
			throw new ModelError(
				'This model has no face Talkline can drive: no visemes, blend shapes or expressions, and no head bone.'
			);
		}
		this.buildChannels();
		this.values = new Float32Array(this.names.length);
		this.active = new Uint8Array(this.names.length);
		if (!this.vrm) this.bindMorphs(morphMeshes);

		this.head = bones.head ? new BoneTurn(bones.head) : null;
		this.neck = bones.neck && bones.head ? new BoneTurn(bones.neck) : null;
		this.eyes =
			!this.vrm && bones.leftEye && bones.rightEye
				? [new BoneTurn(bones.leftEye), new BoneTurn(bones.rightEye)]
				: null;
		this.chest = bones.chest ? new BoneTurn(bones.chest) : null;
		this.region = headRegion(
			this.root,
			bones.head,
			this.vrm ? [] : morphMeshes.filter(hasDrivenMorph(names))
		);
		this.frame(1);
	}

	/** Names of the targets at or above 0.25 now, sorted, space-separated. */
	get activeTargets(): string {
		return this.activeNames;
	}

	/** Points the camera at the head for this aspect ratio (width / height). */
	frame(aspect: number): void {
		frameHead(this.camera, this.region, aspect);
	}

	/** Sets every driven target and bone from the animator's current frame. Allocates nothing. */
	apply(animator: FaceAnimator, dt: number): void {
		if (this.disposed) return;
		this.desaturate.value = animator.desaturate;
		this.computeValues(animator);
		const values = this.values;
		const vrm = this.vrm;
		if (vrm?.expressionManager) {
			for (let c = 0; c < values.length; c++)
				vrm.expressionManager.setValue(this.names[c]!, values[c]!);
		} else {
			for (let s = 0; s < this.sinkMeshes.length; s++) {
				const influences = this.sinkMeshes[s]!.morphTargetInfluences!;
				influences[this.sinkIndices[s]!] = values[this.sinkChannels[s]!]!;
			}
		}
		const share = this.neck ? 1 - NECK_SHARE : 1;
		this.neck?.turn(
			animator.headPitch * NECK_SHARE,
			animator.headYaw * NECK_SHARE,
			animator.headRoll * NECK_SHARE
		);
		this.head?.turn(
			animator.headPitch * share,
			animator.headYaw * share,
			animator.headRoll * share
		);
		this.chest?.turn(-0.012 * animator.breath, 0, 0);
		if (this.eyes) {
			this.eyes[0].turn(animator.eyePitch, animator.eyeYaw, 0);
			this.eyes[1].turn(animator.eyePitch, animator.eyeYaw, 0);
		}
		if (vrm) {
			if (vrm.lookAt) {
				vrm.lookAt.yaw = animator.eyeYaw * DEGREES;
				vrm.lookAt.pitch = -animator.eyePitch * DEGREES;
			}
			vrm.update(dt);
		}
		this.reportActive();
	}

	/** Frees geometries, materials, textures and skeletons. Safe to call twice. */
	dispose(): void {
		if (this.disposed) return;
		this.disposed = true;
		this.onActiveChange = null;
		disposeObject(this.root);
		this.scene.clear();
	}

	private buildChannels(): void {
		const plan = this.plan;
		const add = (name: string, kind: Source, source: number) => {
			this.names.push(name);
			this.kinds.push(kind);
			this.sources.push(source);
		};
		if (plan.mouth === 'visemes') {
			for (const viseme of plan.visemes)
				add(visemeMorphName(viseme), Source.Viseme, VISEMES.indexOf(viseme));
		} else if (plan.mouth === 'vowels') {
			VRM_VOWELS.forEach((vowel, index) => add(vowel, Source.Vowel, index));
		}
		for (const deformer of plan.deformers)
			add(deformer, Source.Deformer, DEFORMERS.indexOf(deformer));
		for (const preset of plan.presets) add(preset, Source.Preset, PRESET_NAMES.indexOf(preset));
	}

	private bindMorphs(meshes: readonly Mesh[]): void {
		this.names.forEach((name, channel) => {
			for (const mesh of meshes) {
				const index = mesh.morphTargetDictionary?.[name];
				if (index === undefined) continue;
				this.sinkMeshes.push(mesh);
				this.sinkIndices.push(index);
				this.sinkChannels.push(channel);
			}
		});
	}

	private computeValues(animator: FaceAnimator): void {
		const visemes = animator.visemes;
		const vowels = this.vowels;
		const columns = VRM_VOWELS.length;
		vowels.fill(0);
		for (let v = 1; v < VISEMES.length; v++) {
			const weight = visemes[v] ?? 0;
			if (weight === 0) continue;
			for (let k = 0; k < columns; k++)
				vowels[k] = vowels[k]! + weight * VOWEL_MATRIX[v * columns + k]!;
		}
		for (let c = 0; c < this.values.length; c++) {
			const source = this.sources[c]!;
			let value: number;
			switch (this.kinds[c]) {
				case Source.Viseme:
					value = visemes[source] ?? 0;
					break;
				case Source.Deformer:
					value = animator.weights[source] ?? 0;
					break;
				case Source.Vowel:
					value = vowels[source] ?? 0;
					break;
				default: {
					const deformers = PRESET_DEFORMERS[source]!;
					let sum = 0;
					for (const d of deformers) sum += animator.weights[d] ?? 0;
					value = sum / deformers.length;
				}
			}
			this.values[c] = value < 0 ? 0 : value > 1 ? 1 : value;
		}
	}

	private reportActive(): void {
		let changed = false;
		for (let c = 0; c < this.values.length; c++) {
			const on = this.values[c]! >= ACTIVE ? 1 : 0;
			if (on !== this.active[c]) {
				this.active[c] = on;
				changed = true;
			}
		}
		if (!changed) return;
		this.activeNames = this.names
			.filter((_, c) => this.active[c] === 1)
			.sort()
			.join(' ');
		this.onActiveChange?.(this.activeNames);
	}
}

function vrmBones(vrm: VRM): FaceBones {
	const bone = (name: Parameters<VRM['humanoid']['getNormalizedBoneNode']>[0]) =>
		vrm.humanoid.getNormalizedBoneNode(name);
	return {
		head: bone('head'),
		neck: bone('neck'),
		leftEye: bone('leftEye'),
		rightEye: bone('rightEye'),
		chest: bone('upperChest') ?? bone('chest')
	};
}

/** Meshes with at least one morph the plan drives: the face, for framing. */
function hasDrivenMorph(names: ReadonlySet<string>) {
	const face = /^(viseme_|mouth|jaw|eye|brow|cheek|tongue)/;
	return (mesh: Mesh) =>
		Object.keys(mesh.morphTargetDictionary ?? {}).some(
			(name) => names.has(name) && face.test(name)
		);
}
