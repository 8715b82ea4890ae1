import { describe, expect, it } from 'vitest';
import { checkGlbHeader, inspectGlb } from '../../src/lib/avatar/model/glb';
import { ModelError } from '../../src/lib/avatar/model/model-error';
import { makeTestGlb, makeTestVrm } from '../../support/avatar-files';

function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
	return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** A GLB with this JSON and no binary chunk. */
function glbWithJson(json: unknown): ArrayBuffer {
	let text = Buffer.from(JSON.stringify(json));
	text = Buffer.concat([text, Buffer.alloc((4 - (text.length % 4)) % 4, 0x20)]);
	const out = Buffer.alloc(20 + text.length);
	out.writeUInt32LE(0x46546c67, 0);
	out.writeUInt32LE(2, 4);
	out.writeUInt32LE(out.length, 8);
	out.writeUInt32LE(text.length, 12);
	out.writeUInt32LE(0x4e4f534a, 16);
	text.copy(out, 20);
	return arrayBuffer(out);
}

const MESH = { meshes: [{ primitives: [] }] };

describe('looking inside a GLB before loading it', () => {
	it('tells a glTF binary from a VRM', async () => {
		expect(inspectGlb(arrayBuffer(await makeTestGlb())).kind).toBe('glb');
		expect(inspectGlb(arrayBuffer(await makeTestVrm())).kind).toBe('vrm');
		expect(
			inspectGlb(glbWithJson({ asset: { version: '2.0' }, extensionsUsed: ['VRM'], ...MESH })).kind
		).toBe('vrm');
	});

	it('refuses a file that is not a glTF binary, naming what to choose', () => {
		expect(() => checkGlbHeader(new TextEncoder().encode('{"asset":{"version":"2.0"}}'))).toThrow(
			/not a glTF binary: choose a \.glb .* or a \.vrm file/
		);
		expect(() => checkGlbHeader(new Uint8Array(4))).toThrow(ModelError);
	});

	it('calls a cut-short or damaged file broken', async () => {
		const glb = await makeTestGlb();
		expect(() => inspectGlb(arrayBuffer(glb.subarray(0, 200)))).toThrow(/broken/);
		const damaged = Buffer.from(glb);
		damaged.fill(0x7b, 20, 40);
		expect(() => inspectGlb(arrayBuffer(damaged))).toThrow(/broken/);
	});

	it('refuses external files and compression it cannot decode', () => {
		const external = {
			asset: { version: '2.0' },
			buffers: [{ uri: 'https://example.com/x.bin' }],
			...MESH
		};
		expect(() => inspectGlb(glbWithJson(external))).toThrow(/only self-contained/);
		const draco = {
			asset: { version: '2.0' },
			extensionsRequired: ['KHR_draco_mesh_compression'],
			...MESH
		};
		expect(() => inspectGlb(glbWithJson(draco))).toThrow(/Draco mesh compression/);
		const dataUri = {
			asset: { version: '2.0' },
			images: [{ uri: 'data:image/png;base64,AAAA' }],
			...MESH
		};
		expect(inspectGlb(glbWithJson(dataUri)).kind).toBe('glb');
	});

	it('refuses a glTF without meshes', () => {
		expect(() => inspectGlb(glbWithJson({ asset: { version: '2.0' } }))).toThrow(/no meshes/);
	});
});
