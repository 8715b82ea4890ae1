/**
 * Connects deformer weights (DEFORMERS order) to the morph influences of the meshes that have a
 * target of that name, so one flat loop per frame sets them all.
 */
import type { Mesh } from 'three';
import { DEFORMERS, type Deformer } from './types';

/** Which influence of which mesh each deformer drives. */
export class MorphBinding {
	/** Deformer names at least one mesh has; visemes fall back to jawOpen for the rest. */
	readonly available = new Set<string>();
	private readonly meshes: Mesh[] = [];
	private readonly influences: number[] = [];
	private readonly deformers: number[] = [];

	constructor(meshes: readonly Mesh[]) {
		for (const mesh of meshes) {
			for (const [name, influence] of Object.entries(mesh.morphTargetDictionary ?? {})) {
				const deformer = DEFORMERS.indexOf(name as Deformer);
				if (deformer < 0) continue;
				this.available.add(name);
				this.meshes.push(mesh);
				this.influences.push(influence);
				this.deformers.push(deformer);
			}
		}
	}

	/** Copies `weights` onto the influences. Allocates nothing. */
	apply(weights: Float32Array): void {
		for (let b = 0; b < this.meshes.length; b++) {
			const influences = this.meshes[b]?.morphTargetInfluences;
			if (influences) influences[this.influences[b] ?? 0] = weights[this.deformers[b] ?? 0] ?? 0;
		}
	}
}
