/**
 * Releases everything a loaded model put on the GPU or holds in memory: geometries, materials,
 * every texture a material refers to (uniforms included, for VRM's MToon), skeleton textures and
 * the decoded images behind textures.
 */
import {
	Mesh,
	SkinnedMesh,
	Texture,
	type BufferGeometry,
	type Material,
	type Object3D
} from 'three';

function texturesOf(material: Material, into: Set<Texture>): void {
	const values: unknown[] = Object.values(material);
	const uniforms = (material as { uniforms?: Record<string, { value?: unknown }> }).uniforms;
	if (uniforms) for (const uniform of Object.values(uniforms)) values.push(uniform?.value);
	for (const value of values) if (value instanceof Texture) into.add(value);
}

/** Disposes every resource under `root` and detaches it from its parent. */
export function disposeObject(root: Object3D): void {
	const geometries = new Set<BufferGeometry>();
	const materials = new Set<Material>();
	const textures = new Set<Texture>();
	root.traverse((node) => {
		if (!(node instanceof Mesh)) return;
		geometries.add(node.geometry);
		for (const material of Array.isArray(node.material) ? node.material : [node.material]) {
			materials.add(material);
		}
		if (node instanceof SkinnedMesh) node.skeleton.dispose();
	});
	for (const material of materials) texturesOf(material, textures);
	for (const geometry of geometries) geometry.dispose();
	for (const material of materials) material.dispose();
	for (const texture of textures) {
		texture.dispose();
		const image: unknown = texture.source.data;
		if (typeof ImageBitmap !== 'undefined' && image instanceof ImageBitmap) image.close();
	}
	root.removeFromParent();
}
