/**
 * The bones a loaded model is moved by (head, neck, eyes, chest), found by the names common
 * exporters give them (Ready Player Me, Mixamo, VRoid, Blender) or by VRM's humanoid map, and
 * turned by small rotations given in the scene's axes whatever each bone's own axes are.
 */
import { Euler, Quaternion, type Object3D } from 'three';

/** The bones the driver turns; any may be missing. */
export interface FaceBones {
	head: Object3D | null;
	neck: Object3D | null;
	leftEye: Object3D | null;
	rightEye: Object3D | null;
	chest: Object3D | null;
}

const PATTERNS: Record<keyof FaceBones, RegExp[]> = {
	head: [/^(mixamorig\d*:?)?head$/i, /^J_Bip_C_Head$/, /^(def[-_.])?head$/i],
	neck: [/^(mixamorig\d*:?)?neck$/i, /^J_Bip_C_Neck$/, /^(def[-_.])?neck$/i],
	leftEye: [/^(mixamorig\d*:?)?left_?eye$/i, /^J_Adj_L_FaceEye$/, /^eye[-_.]?L$/i, /^L[-_.]?eye$/i],
	rightEye: [
		/^(mixamorig\d*:?)?right_?eye$/i,
		/^J_Adj_R_FaceEye$/,
		/^eye[-_.]?R$/i,
		/^R[-_.]?eye$/i
	],
	chest: [
		/^(mixamorig\d*:?)?spine2$/i,
		/^(upper_?)?chest$/i,
		/^J_Bip_C_(Upper)?Chest$/,
		/^(mixamorig\d*:?)?spine1$/i
	]
};

/** Finds face bones in a glTF scene by node name (first match in pattern order). */
export function findBonesByName(root: Object3D): FaceBones {
	const nodes: Object3D[] = [];
	root.traverse((node) => {
		if (!('isMesh' in node && node.isMesh)) nodes.push(node);
	});
	const find = (patterns: RegExp[]) => {
		for (const pattern of patterns) {
			const node = nodes.find((candidate) => pattern.test(candidate.name));
			if (node) return node;
		}
		return null;
	};
	return {
		head: find(PATTERNS.head),
		neck: find(PATTERNS.neck),
		leftEye: find(PATTERNS.leftEye),
		rightEye: find(PATTERNS.rightEye),
		chest: find(PATTERNS.chest)
	};
}

const euler = new Euler();
const delta = new Quaternion();

/**
 * Turns one bone from its rest pose by pitch/yaw/roll given in the scene's axes (x right, y up,
 * z toward the camera), so the same numbers move the built-in head and any rig alike.
 * Call {@link BoneTurn.turn} after the model sits in its scene with world matrices updated.
 */
export class BoneTurn {
	private readonly rest: Quaternion;
	private readonly parentWorld = new Quaternion();
	private readonly parentInverse = new Quaternion();

	constructor(readonly bone: Object3D) {
		this.rest = bone.quaternion.clone();
		bone.parent?.getWorldQuaternion(this.parentWorld);
		this.parentInverse.copy(this.parentWorld).invert();
	}

	/** Sets the bone to rest turned by these angles (radians). Allocates nothing. */
	turn(pitch: number, yaw: number, roll: number): void {
		delta.setFromEuler(euler.set(pitch, yaw, roll, 'YXZ'));
		// local = parent⁻¹ · delta · parent · rest: the turn happens about the scene's axes.
		this.bone.quaternion
			.copy(this.parentInverse)
			.multiply(delta)
			.multiply(this.parentWorld)
			.multiply(this.rest);
	}

	/** Puts the bone back in its rest pose. */
	reset(): void {
		this.bone.quaternion.copy(this.rest);
	}
}
