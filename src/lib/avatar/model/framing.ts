/**
 * Where a loaded model's head is and how the camera frames it, whatever the model's scale:
 * the meshes with face morphs when they look like a head, else the head bone up to the top of
 * the model, else the top of the model.
 */
import { Box3, Vector3, type Mesh, type Object3D, type PerspectiveCamera } from 'three';

/** The head's centre and height in world units. */
export interface HeadRegion {
	centre: Vector3;
	size: number;
}

/** Finds the head of `root` (its world matrices must be up to date). */
export function headRegion(
	root: Object3D,
	head: Object3D | null,
	faceMeshes: readonly Mesh[]
): HeadRegion {
	const whole = new Box3().setFromObject(root);
	const height = Math.max(whole.max.y - whole.min.y, 1e-3);
	const face = new Box3();
	for (const mesh of faceMeshes) face.expandByObject(mesh);
	const faceHeight = face.max.y - face.min.y;
	// A face mesh is at most half the model; a single mesh for the whole body is not a face.
	if (!face.isEmpty() && faceHeight > 0 && faceHeight < 0.5 * height) {
		return { centre: face.getCenter(new Vector3()), size: faceHeight };
	}
	if (head) {
		const base = head.getWorldPosition(new Vector3());
		const size = Math.min(Math.max(whole.max.y - base.y, 0.06 * height), 0.5 * height);
		return { centre: new Vector3(base.x, base.y + 0.45 * size, base.z), size };
	}
	const size = 0.15 * height;
	const centre = whole.getCenter(new Vector3());
	centre.y = whole.max.y - size / 2;
	return { centre, size };
}

/** Points `camera` (looking down -z) at the head with a little of the shoulders below it. */
export function frameHead(camera: PerspectiveCamera, region: HeadRegion, aspect: number): void {
	const halfHeight = Math.max(1.25 * region.size, (1.1 * region.size) / Math.max(aspect, 0.1));
	const distance = halfHeight / Math.tan(((camera.fov / 2) * Math.PI) / 180);
	const target = region.centre.y - 0.2 * region.size;
	camera.aspect = aspect;
	camera.near = distance / 50;
	camera.far = distance * 20;
	camera.position.set(region.centre.x, target + 0.1 * region.size, region.centre.z + distance);
	camera.lookAt(region.centre.x, target, region.centre.z);
	camera.updateProjectionMatrix();
}
