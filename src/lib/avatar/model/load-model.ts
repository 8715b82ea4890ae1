/**
 * Parses a checked GLB into an {@link AvatarModel} with three's GLTFLoader, and with
 * @pixiv/three-vrm only for a VRM. This module (and three-vrm below it) is imported only when a
 * person asks for a model, so the page's first load does not carry them.
 */
import type { VRM } from '@pixiv/three-vrm';
import type { Object3D } from 'three';
import { GLTFLoader, type GLTF } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { AvatarModel } from './avatar-model';
import { disposeObject } from './dispose-object';
import type { GlbInfo } from './glb';
import { ModelError } from './model-error';

/** Builds the drivable model from the file's bytes; throws a {@link ModelError} when it cannot. */
export async function loadModel(
	bytes: ArrayBuffer,
	name: string,
	info: GlbInfo
): Promise<AvatarModel> {
	const loader = new GLTFLoader();
	if (info.kind === 'vrm') {
		const { VRMLoaderPlugin } = await import('@pixiv/three-vrm');
		loader.register((parser) => new VRMLoaderPlugin(parser, { autoUpdateHumanBones: true }));
	}
	let gltf: GLTF;
	try {
		gltf = await loader.parseAsync(bytes, '');
	} catch (error) {
		const detail = error instanceof Error ? error.message : String(error);
		throw new ModelError(`This model file could not be read (${detail}).`);
	}
	const vrm = (gltf.userData as { vrm?: VRM }).vrm ?? null;
	if (info.kind === 'vrm' && !vrm) {
		disposeObject(gltf.scene);
		throw new ModelError('This file says it is a VRM, but its VRM data could not be read.');
	}
	let root: Object3D = gltf.scene;
	if (vrm) {
		const { VRMUtils } = await import('@pixiv/three-vrm');
		// VRM 0.x faces -z; turn it to face the camera like VRM 1.0 and glTF.
		VRMUtils.rotateVRM0(vrm);
		root = vrm.scene;
	}
	root.traverse((node) => (node.frustumCulled = false));
	try {
		return new AvatarModel({ name, kind: vrm ? 'vrm' : 'glb', root, vrm });
	} catch (error) {
		disposeObject(root);
		throw error;
	}
}
