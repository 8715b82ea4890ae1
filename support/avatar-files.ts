/**
 * Small avatar files made in code for the tests and the benchmark: a head on a skeleton exported
 * with three's GLTFExporter, with morph targets named like Ready Player Me's (`viseme_aa` …) and
 * ARKit's (`mouthSmileLeft`, `eyeBlinkLeft`, `browInnerUp` …), one embedded PNG texture, and the
 * same head as a minimal VRM 1.0 (the VRMC_vrm extension with a humanoid and preset expressions
 * bound to those morphs). Runs in Node: GLTFExporter only needs a FileReader, given below.
 */
import { crc32, deflateSync } from 'node:zlib';
import {
	BoxGeometry,
	BufferAttribute,
	BufferGeometry,
	Group,
	Mesh,
	MeshStandardMaterial,
	Object3D,
	SphereGeometry,
	type Material
} from 'three';
import { GLTFExporter } from 'three/examples/jsm/exporters/GLTFExporter.js';

/** The visemes of the Oculus set with a morph of their own (sil has none). */
const VISEMES = ['PP', 'FF', 'TH', 'DD', 'kk', 'CH', 'SS', 'nn', 'RR', 'aa', 'E', 'I', 'O', 'U'];

type Shape = (x: number, y: number, z: number) => [number, number, number];

/** GLTFExporter reads its output through FileReader, which Node lacks. */
function ensureFileReader(): void {
	if ('FileReader' in globalThis) return;
	class NodeFileReader {
		result: ArrayBuffer | string | null = null;
		onloadend: (() => void) | null = null;
		readAsArrayBuffer(blob: Blob): void {
			void blob.arrayBuffer().then((buffer) => {
				this.result = buffer;
				this.onloadend?.();
			});
		}
		readAsDataURL(blob: Blob): void {
			void blob.arrayBuffer().then((buffer) => {
				this.result = `data:${blob.type};base64,${Buffer.from(buffer).toString('base64')}`;
				this.onloadend?.();
			});
		}
	}
	Object.defineProperty(globalThis, 'FileReader', { value: NodeFileReader, configurable: true });
}

/** A mesh whose geometry has one relative morph target per named shape. */
function morphMesh(
	name: string,
	geometry: BufferGeometry,
	material: Material,
	shapes: Record<string, Shape>
): Mesh {
	const position = geometry.getAttribute('position');
	const targets = Object.entries(shapes).map(([, shape]) => {
		const delta = new Float32Array(position.count * 3);
		for (let i = 0; i < position.count; i++) {
			const [dx, dy, dz] = shape(position.getX(i), position.getY(i), position.getZ(i));
			delta.set([dx, dy, dz], i * 3);
		}
		return new BufferAttribute(delta, 3);
	});
	geometry.morphAttributes.position = targets;
	geometry.morphTargetsRelative = true;
	const mesh = new Mesh(geometry, material);
	mesh.name = name;
	mesh.updateMorphTargets();
	// updateMorphTargets names targets only from attribute names; give them the shape names.
	mesh.morphTargetDictionary = Object.fromEntries(Object.keys(shapes).map((key, i) => [key, i]));
	return mesh;
}

function bone(name: string, x: number, y: number, z: number, parent: Object3D): Object3D {
	const node = new Object3D();
	node.name = name;
	node.position.set(x, y, z);
	parent.add(node);
	return node;
}

/** How far each viseme opens (y) and widens (x) the mouth, as a morph of the mouth mesh. */
const MOUTH_SHAPES: Record<string, [open: number, wide: number]> = {
	PP: [-0.4, 0],
	FF: [0.1, 0.1],
	TH: [0.3, 0],
	DD: [0.3, 0.1],
	kk: [0.35, 0],
	CH: [0.3, -0.3],
	SS: [0.15, 0.3],
	nn: [0.3, 0],
	RR: [0.3, -0.3],
	aa: [1.2, 0],
	E: [0.5, 0.4],
	I: [0.35, 0.5],
	O: [0.8, -0.45],
	U: [0.4, -0.6]
};

/** The test head: skeleton, face, eyes with pupils and lids, brows, mouth, shoulders. */
function buildHead(): Group {
	const skin = new MeshStandardMaterial({ color: 0xe0a88a, roughness: 0.7, name: 'skin' });
	const dark = new MeshStandardMaterial({ color: 0x3a1f1a, roughness: 0.6, name: 'dark' });
	const white = new MeshStandardMaterial({ color: 0xf4f4f4, roughness: 0.3, name: 'white' });
	const shirt = new MeshStandardMaterial({ color: 0x2f6fd0, roughness: 0.8, name: 'shirt' });

	const root = new Group();
	root.name = 'Armature';
	const hips = bone('Hips', 0, 1, 0, root);
	const spine = bone('Spine', 0, 0.12, 0, hips);
	const chest = bone('Spine2', 0, 0.2, 0, spine);
	const neck = bone('Neck', 0, 0.18, 0, chest);
	const head = bone('Head', 0, 0.08, 0, neck);
	for (const side of ['Left', 'Right'] as const) {
		const s = side === 'Left' ? 1 : -1;
		const upperLeg = bone(`${side}UpLeg`, 0.09 * s, -0.05, 0, hips);
		const lowerLeg = bone(`${side}Leg`, 0, -0.42, 0, upperLeg);
		bone(`${side}Foot`, 0, -0.42, 0, lowerLeg);
		const upperArm = bone(`${side}Arm`, 0.18 * s, 0.12, 0, chest);
		const lowerArm = bone(`${side}ForeArm`, 0.25 * s, 0, 0, upperArm);
		bone(`${side}Hand`, 0.24 * s, 0, 0, lowerArm);
	}

	const torso = new Mesh(new BoxGeometry(0.42, 0.3, 0.2), shirt);
	torso.name = 'Body';
	torso.position.set(0, 0.02, 0);
	chest.add(torso);
	const neckMesh = new Mesh(new SphereGeometry(0.05, 12, 8), skin);
	neckMesh.name = 'NeckSkin';
	neckMesh.scale.set(1, 1.6, 1);
	neck.add(neckMesh);

	const face = morphMesh('Face', new SphereGeometry(0.11, 32, 24), skin, {
		cheekSquintLeft: (x, y, z) => (x > 0.03 && y > 0 && z > 0.05 ? [0, 0.006, 0] : [0, 0, 0]),
		cheekSquintRight: (x, y, z) => (x < -0.03 && y > 0 && z > 0.05 ? [0, 0.006, 0] : [0, 0, 0]),
		jawOpen: (x, y) => (y < -0.02 ? [0, -0.03 * Math.min(1, (-y - 0.02) / 0.05), 0] : [0, 0, 0])
	});
	face.position.set(0, 0.1, 0);
	face.scale.set(1, 1.2, 1);
	head.add(face);

	const mouthOpen =
		(open: number, wide: number): Shape =>
		(x, y) => [wide * x, y < 0 ? -0.02 * open : 0.004 * Math.max(0, open), 0];
	const mouthShapes: Record<string, Shape> = {};
	for (const viseme of VISEMES) {
		const [open, wide] = MOUTH_SHAPES[viseme] ?? [0.3, 0];
		mouthShapes[`viseme_${viseme}`] = mouthOpen(open, wide);
	}
	Object.assign(mouthShapes, {
		jawOpen: mouthOpen(1, 0),
		mouthSmileLeft: (x: number) => (x > 0 ? [0.008, 0.012 * (x / 0.03), 0] : [0, 0, 0]),
		mouthSmileRight: (x: number) => (x < 0 ? [-0.008, 0.012 * (-x / 0.03), 0] : [0, 0, 0]),
		mouthFrownLeft: (x: number) => (x > 0 ? [0, -0.012 * (x / 0.03), 0] : [0, 0, 0]),
		mouthFrownRight: (x: number) => (x < 0 ? [0, -0.012 * (-x / 0.03), 0] : [0, 0, 0]),
		mouthPucker: (x: number) => [-0.5 * x, 0, 0.01],
		mouthFunnel: (x: number, y: number) => [-0.4 * x, 0.3 * y, 0.01]
	} satisfies Record<string, Shape>);
	const mouth = morphMesh('Mouth', new BoxGeometry(0.06, 0.012, 0.02, 8, 2, 1), dark, mouthShapes);
	mouth.position.set(0, 0.035, 0.1);
	head.add(mouth);

	for (const side of ['Left', 'Right'] as const) {
		const s = side === 'Left' ? 1 : -1;
		const eye = bone(`${side}Eye`, 0.038 * s, 0.125, 0.085, head);
		const ball = new Mesh(new SphereGeometry(0.022, 16, 12), white);
		ball.name = `${side}EyeBall`;
		eye.add(ball);
		const pupil = new Mesh(new SphereGeometry(0.01, 10, 8), dark);
		pupil.name = `${side}Pupil`;
		pupil.position.set(0, 0, 0.017);
		eye.add(pupil);
		const lid = morphMesh(
			`${side}Lid`,
			new SphereGeometry(0.025, 16, 12, 0, Math.PI * 2, 0, 0.2),
			skin,
			{
				[`eyeBlink${side}`]: (x, y, z) => [0, -0.03 * Math.max(0, y / 0.025), 0.004 * Math.sign(z)],
				[`eyeWide${side}`]: () => [0, 0.004, 0]
			}
		);
		lid.position.set(0.038 * s, 0.125, 0.085);
		head.add(lid);
		const brow = morphMesh(`${side}Brow`, new BoxGeometry(0.04, 0.008, 0.01, 4, 1, 1), dark, {
			browInnerUp: (x) => [0, x * s < 0 ? 0.012 : 0.004, 0],
			[`browDown${side}`]: () => [0, -0.01, 0],
			[`browOuterUp${side}`]: (x) => [0, x * s > 0 ? 0.012 : 0, 0]
		});
		brow.position.set(0.04 * s, 0.165, 0.098);
		head.add(brow);
	}
	return root;
}

/** A 4x4 RGBA PNG (a skin-tone check) made with zlib, for the embedded texture. */
function tinyPng(): Uint8Array {
	const size = 4;
	const raw = Buffer.alloc(size * (1 + size * 4));
	for (let y = 0; y < size; y++) {
		raw[y * (1 + size * 4)] = 0;
		for (let x = 0; x < size; x++) {
			const at = y * (1 + size * 4) + 1 + x * 4;
			const light = (x + y) % 2 === 0;
			raw.set(light ? [255, 235, 220, 255] : [240, 215, 200, 255], at);
		}
	}
	const chunk = (type: string, data: Buffer) => {
		const length = Buffer.alloc(4);
		length.writeUInt32BE(data.length);
		const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(crc32(body));
		return Buffer.concat([length, body, crc]);
	};
	const header = Buffer.alloc(13);
	header.writeUInt32BE(size, 0);
	header.writeUInt32BE(size, 4);
	header.set([8, 6, 0, 0, 0], 8);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(raw)),
		chunk('IEND', Buffer.alloc(0))
	]);
}

/** A GLB split into its JSON and binary chunk, to add to and pack again. */
interface GlbParts {
	json: GltfJson;
	bin: Buffer;
}

interface GltfJson {
	nodes: { name?: string; mesh?: number; children?: number[] }[];
	meshes: { extras?: { targetNames?: string[] } }[];
	materials: { name?: string; pbrMetallicRoughness?: Record<string, unknown> }[];
	bufferViews: { buffer: number; byteOffset: number; byteLength: number }[];
	buffers: { byteLength: number }[];
	images?: { bufferView: number; mimeType: string }[];
	textures?: { source: number }[];
	extensionsUsed?: string[];
	extensions?: Record<string, unknown>;
	[key: string]: unknown;
}

function unpack(glb: Buffer): GlbParts {
	const jsonLength = glb.readUInt32LE(12);
	const json = JSON.parse(glb.subarray(20, 20 + jsonLength).toString('utf8')) as GltfJson;
	const binStart = 20 + jsonLength;
	const binLength = glb.readUInt32LE(binStart);
	return { json, bin: Buffer.from(glb.subarray(binStart + 8, binStart + 8 + binLength)) };
}

function pad(data: Buffer, fill: number): Buffer {
	const extra = (4 - (data.length % 4)) % 4;
	return extra ? Buffer.concat([data, Buffer.alloc(extra, fill)]) : data;
}

function pack({ json, bin }: GlbParts): Buffer {
	const binary = pad(bin, 0);
	json.buffers[0]!.byteLength = binary.length;
	const text = pad(Buffer.from(JSON.stringify(json), 'utf8'), 0x20);
	const header = Buffer.alloc(12);
	header.writeUInt32LE(0x46546c67, 0);
	header.writeUInt32LE(2, 4);
	header.writeUInt32LE(12 + 8 + text.length + 8 + binary.length, 8);
	const chunkHeader = (length: number, type: number) => {
		const out = Buffer.alloc(8);
		out.writeUInt32LE(length, 0);
		out.writeUInt32LE(type, 4);
		return out;
	};
	return Buffer.concat([
		header,
		chunkHeader(text.length, 0x4e4f534a),
		text,
		chunkHeader(binary.length, 0x004e4942),
		binary
	]);
}

/** Puts the PNG in the binary chunk and uses it as the skin material's base colour. */
function addSkinTexture(parts: GlbParts): void {
	const png = Buffer.from(tinyPng());
	const offset = pad(parts.bin, 0).length;
	parts.bin = Buffer.concat([pad(parts.bin, 0), png]);
	parts.json.bufferViews.push({ buffer: 0, byteOffset: offset, byteLength: png.length });
	parts.json.images = [
		...(parts.json.images ?? []),
		{ bufferView: parts.json.bufferViews.length - 1, mimeType: 'image/png' }
	];
	parts.json.textures = [...(parts.json.textures ?? []), { source: parts.json.images.length - 1 }];
	const skin = parts.json.materials.find((material) => material.name === 'skin');
	if (skin) {
		skin.pbrMetallicRoughness = {
			...skin.pbrMetallicRoughness,
			baseColorTexture: { index: parts.json.textures.length - 1 }
		};
	}
}

async function exportHead(): Promise<GlbParts> {
	ensureFileReader();
	const exported = await new GLTFExporter().parseAsync(buildHead(), { binary: true });
	const parts = unpack(Buffer.from(exported as ArrayBuffer));
	addSkinTexture(parts);
	return parts;
}

/** A Ready Player Me-style GLB: viseme_* and ARKit morphs, Head/Neck/LeftEye/RightEye bones. */
export async function makeTestGlb(): Promise<Buffer> {
	return pack(await exportHead());
}

/** The same head with every morph target removed and the head bone renamed: nothing to drive. */
export async function makeFacelessGlb(): Promise<Buffer> {
	ensureFileReader();
	const root = buildHead();
	root.traverse((node) => {
		if (node instanceof Mesh) {
			node.geometry.morphAttributes = {};
			node.morphTargetDictionary = undefined;
			node.morphTargetInfluences = undefined;
		}
		if (/head|eye|neck/i.test(node.name)) node.name = `part-${node.id}`;
	});
	return Buffer.from((await new GLTFExporter().parseAsync(root, { binary: true })) as ArrayBuffer);
}

/** The VRM 1.0 humanoid bones this head has, by VRM name → node name. */
const HUMAN_BONES: Record<string, string> = {
	hips: 'Hips',
	spine: 'Spine',
	chest: 'Spine2',
	neck: 'Neck',
	head: 'Head',
	leftEye: 'LeftEye',
	rightEye: 'RightEye',
	leftUpperLeg: 'LeftUpLeg',
	leftLowerLeg: 'LeftLeg',
	leftFoot: 'LeftFoot',
	rightUpperLeg: 'RightUpLeg',
	rightLowerLeg: 'RightLeg',
	rightFoot: 'RightFoot',
	leftUpperArm: 'LeftArm',
	leftLowerArm: 'LeftForeArm',
	leftHand: 'LeftHand',
	rightUpperArm: 'RightArm',
	rightLowerArm: 'RightForeArm',
	rightHand: 'RightHand'
};

/** VRM preset expression → [mesh node name, morph target name] pairs it moves. */
const EXPRESSIONS: Record<string, [string, string][]> = {
	aa: [['Mouth', 'viseme_aa']],
	ih: [['Mouth', 'viseme_I']],
	ou: [['Mouth', 'viseme_U']],
	ee: [['Mouth', 'viseme_E']],
	oh: [['Mouth', 'viseme_O']],
	happy: [
		['Mouth', 'mouthSmileLeft'],
		['Mouth', 'mouthSmileRight'],
		['Face', 'cheekSquintLeft'],
		['Face', 'cheekSquintRight']
	],
	sad: [
		['Mouth', 'mouthFrownLeft'],
		['Mouth', 'mouthFrownRight'],
		['LeftBrow', 'browInnerUp'],
		['RightBrow', 'browInnerUp']
	],
	angry: [
		['LeftBrow', 'browDownLeft'],
		['RightBrow', 'browDownRight']
	],
	surprised: [
		['LeftLid', 'eyeWideLeft'],
		['RightLid', 'eyeWideRight']
	],
	blinkLeft: [['LeftLid', 'eyeBlinkLeft']],
	blinkRight: [['RightLid', 'eyeBlinkRight']],
	blink: [
		['LeftLid', 'eyeBlinkLeft'],
		['RightLid', 'eyeBlinkRight']
	]
};

/** A minimal VRM 1.0 of the same head: humanoid, preset expressions on its morphs, bone look-at. */
export async function makeTestVrm(): Promise<Buffer> {
	const parts = await exportHead();
	const { json } = parts;
	const nodeIndex = (name: string) => {
		const index = json.nodes.findIndex((node) => node.name === name);
		if (index < 0) throw new Error(`test VRM: no node ${name}`);
		return index;
	};
	const morphIndex = (node: number, target: string) => {
		const mesh = json.meshes[json.nodes[node]!.mesh!]!;
		const index = mesh.extras?.targetNames?.indexOf(target) ?? -1;
		if (index < 0) throw new Error(`test VRM: no morph ${target}`);
		return index;
	};
	const humanBones = Object.fromEntries(
		Object.entries(HUMAN_BONES).map(([vrmName, nodeName]) => [
			vrmName,
			{ node: nodeIndex(nodeName) }
		])
	);
	const preset = Object.fromEntries(
		Object.entries(EXPRESSIONS).map(([name, binds]) => [
			name,
			{
				isBinary: false,
				morphTargetBinds: binds.map(([nodeName, target]) => {
					const node = nodeIndex(nodeName);
					return { node, index: morphIndex(node, target), weight: 1 };
				})
			}
		])
	);
	json.extensionsUsed = [...(json.extensionsUsed ?? []), 'VRMC_vrm'];
	json.extensions = {
		...json.extensions,
		VRMC_vrm: {
			specVersion: '1.0',
			meta: {
				name: 'Talkline test head',
				version: '1',
				authors: ['Talkline tests'],
				licenseUrl: 'https://vrm.dev/licenses/1.0/',
				avatarPermission: 'everyone',
				commercialUsage: 'personalNonProfit',
				allowRedistribution: true,
				modification: 'allowModification'
			},
			humanoid: { humanBones },
			expressions: { preset },
			lookAt: {
				type: 'bone',
				offsetFromHeadBone: [0, 0.125, 0.085],
				rangeMapHorizontalInner: { inputMaxValue: 90, outputScale: 10 },
				rangeMapHorizontalOuter: { inputMaxValue: 90, outputScale: 10 },
				rangeMapVerticalDown: { inputMaxValue: 90, outputScale: 10 },
				rangeMapVerticalUp: { inputMaxValue: 90, outputScale: 10 }
			}
		}
	};
	return pack(parts);
}

/** Bytes that are not a glTF at all, and a GLB header followed by damage. */
export function makeBrokenFiles(): { notGltf: Buffer; truncated: Promise<Buffer> } {
	return {
		notGltf: Buffer.from('PK\u0003\u0004 this is a zip, not an avatar'.repeat(20)),
		truncated: makeTestGlb().then((glb) => glb.subarray(0, Math.floor(glb.length / 3)))
	};
}
