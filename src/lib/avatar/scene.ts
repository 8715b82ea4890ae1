/**
 * Scene set-up in one place: camera, lights, the rig of parts (head pivot, eyes, body), the
 * optional environment map, and the release of it all. The renderer belongs to avatar.ts.
 */
import {
	DirectionalLight,
	Group,
	HemisphereLight,
	Mesh,
	PMREMGenerator,
	PerspectiveCamera,
	Scene,
	type BufferGeometry,
	type Material,
	type WebGLRenderer
} from 'three';
import { RoomEnvironment } from 'three/examples/jsm/environments/RoomEnvironment.js';
import { createBody, createEars, createHair } from './parts/body';
import { createBrows } from './parts/brows';
import { createEyes } from './parts/eyes';
import { createHead } from './parts/head';
import type { DesaturateUniform } from './desaturate';
import { createMaterials, type AvatarMaterials } from './parts/materials';
import { createMouth } from './parts/mouth';

/** Everything the animation loop moves. */
export interface AvatarRig {
	scene: Scene;
	camera: PerspectiveCamera;
	/** Turns and tilts the head about the top of the neck. */
	headPivot: Group;
	/** Scaled a little with each breath. */
	body: Group;
	/** Left (+x) and right eyeball pivots, turned for gaze. */
	eyeballs: [Group, Group];
	/** Meshes with morph targets named after deformers. */
	morphMeshes: Mesh[];
	materials: AvatarMaterials;
	desaturate: DesaturateUniform;
}

/** Where the head turns: about the top of the neck. */
const NECK_TOP = { y: -0.7, z: -0.1 };
/** The part of the scene that must stay in view: head, hair and the top of the shoulders. */
const FRAME = { centreY: -0.16, halfHeight: 1.45, halfWidth: 1.3 };
const FOV = 22;

/** Builds the scene graph with every part, light and material. */
export function createRig(): AvatarRig {
	const desaturate: DesaturateUniform = { value: 0 };
	const materials = createMaterials(desaturate);
	const scene = new Scene();

	const headPivot = new Group();
	headPivot.name = 'head-pivot';
	headPivot.position.set(0, NECK_TOP.y, NECK_TOP.z);
	const head = new Group();
	head.position.set(0, -NECK_TOP.y, -NECK_TOP.z);
	headPivot.add(head);

	const skin = createHead(materials.skin);
	const eyes = createEyes({
		eyeball: materials.eyeball,
		lids: materials.lids,
		catchlight: materials.catchlight
	});
	const brows = createBrows(materials.brows);
	const mouth = createMouth(materials);
	head.add(skin, eyes.lids, brows, createHair(materials.hair), ...eyes.eyeballs, ...eyes.extras);
	head.add(...mouth, ...createEars(materials.skinPlain));

	const body = new Group();
	body.name = 'body';
	body.add(...createBody(materials.skinPlain, materials.shirt, materials.collar));
	scene.add(body, headPivot);

	addStudioLights(scene);

	const camera = new PerspectiveCamera(FOV, 1, 0.1, 50);
	frameCamera(camera, 1);
	const morphMeshes = [skin, eyes.lids, brows, ...mouth].filter(
		(mesh) => mesh.morphTargetDictionary !== undefined
	);
	return {
		scene,
		camera,
		headPivot,
		body,
		eyeballs: eyes.eyeballs,
		morphMeshes,
		materials,
		desaturate
	};
}

/**
 * Soft studio light: warm key from the upper left, pink fill from the right, cool rim behind, and
 * a bright sky/ground ambient that stands in for the (optional) environment map. Loaded models
 * get the same light as the built-in head.
 */
export function addStudioLights(scene: Scene): void {
	const key = new DirectionalLight(0xfff0e0, 2.3);
	key.position.set(-2.2, 3, 4);
	const fill = new DirectionalLight(0xffe6f0, 0.9);
	fill.position.set(2.5, -0.3, 3);
	const rim = new DirectionalLight(0xc8dcff, 1.4);
	rim.position.set(2.6, 2.2, -3);
	scene.add(key, fill, rim, new HemisphereLight(0xfff8f0, 0x9a8078, 1.4));
}

/** Moves the camera back far enough that the head and shoulders fit at this aspect ratio. */
export function frameCamera(camera: PerspectiveCamera, aspect: number): void {
	const halfHeight = Math.max(FRAME.halfHeight, FRAME.halfWidth / Math.max(aspect, 0.1));
	const distance = halfHeight / Math.tan(((FOV / 2) * Math.PI) / 180);
	camera.aspect = aspect;
	camera.position.set(0, FRAME.centreY + 0.15, distance);
	camera.lookAt(0, FRAME.centreY, 0);
	camera.updateProjectionMatrix();
}

/** Lights the scene with a room built in code, prefiltered once (seconds on software WebGL). */
export function addEnvironment(rig: AvatarRig, renderer: WebGLRenderer): void {
	const generator = new PMREMGenerator(renderer);
	const room = new RoomEnvironment();
	rig.scene.environment = generator.fromScene(room, 0.04).texture;
	rig.scene.environmentIntensity = 0.45;
	room.dispose();
	generator.dispose();
}

/** Releases the rig's GPU resources in order: geometries, materials, then textures. */
export function disposeRig(rig: AvatarRig): void {
	const geometries = new Set<BufferGeometry>();
	const materials = new Set<Material>();
	rig.scene.traverse((object) => {
		if (object instanceof Mesh) {
			geometries.add(object.geometry);
			materials.add(object.material as Material);
		}
	});
	for (const geometry of geometries) geometry.dispose();
	for (const material of materials) material.dispose();
	rig.materials.eyeball.map?.dispose();
	rig.scene.environment?.dispose();
	rig.scene.environment = null;
}
