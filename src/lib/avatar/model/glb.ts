/**
 * Looks inside a glTF binary (.glb, .vrm) before any 3D code loads: checks the header and the
 * JSON chunk, says whether it is a VRM, and refuses what the loader could not use safely
 * (external files, compression codecs the page does not ship). Pure, no three.js.
 */
import { ModelError } from './model-error';

/** What the page learns from a GLB's header and JSON. */
export interface GlbInfo {
	/** `vrm` when the file declares the VRM extension (VRMC_vrm for 1.0, VRM for 0.x). */
	kind: 'glb' | 'vrm';
	/** The glTF JSON, already parsed. */
	json: GltfJson;
}

/** The few parts of the glTF JSON this module reads. */
export interface GltfJson {
	asset?: { version?: unknown };
	extensionsUsed?: unknown;
	extensionsRequired?: unknown;
	buffers?: { uri?: unknown }[];
	images?: { uri?: unknown }[];
	meshes?: unknown[];
}

const MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a; // "JSON"
/** Header (12 bytes) plus the first chunk's header (8). */
export const GLB_PREFIX_BYTES = 20;

/** Extensions a file may require that need decoders the page does not ship. */
const UNSUPPORTED_REQUIRED: Record<string, string> = {
	KHR_draco_mesh_compression: 'Draco mesh compression',
	EXT_meshopt_compression: 'meshopt compression',
	KHR_texture_basisu: 'KTX2/Basis textures'
};

/** Throws a {@link ModelError} unless `head` starts like a glTF 2 binary. */
export function checkGlbHeader(head: Uint8Array): void {
	if (head.byteLength < 12)
		throw new ModelError('This file is too short to be a .glb or .vrm model.');
	const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
	if (view.getUint32(0, true) !== MAGIC) {
		throw new ModelError(
			'This is not a glTF binary: choose a .glb (for example from Ready Player Me) or a .vrm file.'
		);
	}
	const version = view.getUint32(4, true);
	if (version !== 2) throw new ModelError(`This is glTF ${version}; only glTF 2 models load.`);
}

/** Reads and checks the header and JSON chunk of a whole GLB. */
export function inspectGlb(bytes: ArrayBuffer): GlbInfo {
	const all = new Uint8Array(bytes);
	checkGlbHeader(all);
	const view = new DataView(bytes);
	const broken = new ModelError('This model file is broken (cut short or damaged).');
	if (bytes.byteLength < GLB_PREFIX_BYTES) throw broken;
	const declared = view.getUint32(8, true);
	const jsonLength = view.getUint32(12, true);
	if (declared > bytes.byteLength || view.getUint32(16, true) !== CHUNK_JSON) throw broken;
	if (GLB_PREFIX_BYTES + jsonLength > bytes.byteLength) throw broken;
	let json: GltfJson;
	try {
		json = JSON.parse(
			new TextDecoder().decode(all.subarray(GLB_PREFIX_BYTES, GLB_PREFIX_BYTES + jsonLength))
		);
	} catch {
		throw broken;
	}
	if (
		typeof json !== 'object' ||
		json === null ||
		!String(json.asset?.version ?? '').startsWith('2')
	) {
		throw broken;
	}
	const required = stringList(json.extensionsRequired);
	for (const name of required) {
		const what = UNSUPPORTED_REQUIRED[name];
		if (what) {
			throw new ModelError(
				`This model uses ${what}, which Talkline does not decode: export it without compression.`
			);
		}
	}
	// A URI other than data: would make the browser fetch another file (or a tracking address).
	const external = [...(json.buffers ?? []), ...(json.images ?? [])].some(
		(entry) => typeof entry?.uri === 'string' && !entry.uri.startsWith('data:')
	);
	if (external) {
		throw new ModelError(
			'This model points to other files; only self-contained .glb and .vrm files load.'
		);
	}
	if (!Array.isArray(json.meshes) || json.meshes.length === 0) {
		throw new ModelError('This file has no meshes: there is no avatar in it.');
	}
	const used = stringList(json.extensionsUsed);
	const kind = used.includes('VRMC_vrm') || used.includes('VRM') ? 'vrm' : 'glb';
	return { kind, json };
}

function stringList(value: unknown): string[] {
	return Array.isArray(value)
		? value.filter((item): item is string => typeof item === 'string')
		: [];
}
