/**
 * Every material of the avatar, made in one place so they can be tinted together and disposed
 * together. All of them share one `desaturate` uniform (../desaturate.ts), which greys the
 * avatar out in the failed state.
 */
import { DoubleSide, MeshBasicMaterial, MeshStandardMaterial } from 'three';
import { greyable, type DesaturateUniform } from '../desaturate';
import { PALETTE } from './palette';

/** Creates all avatar materials around one desaturate uniform. */
export function createMaterials(uniform: DesaturateUniform) {
	// MeshStandardMaterial throughout: MeshPhysical's sheen and clearcoat cost seconds of shader
	// compiling and half the frame rate on software WebGL, for little visible gain at this size.
	const materials = {
		skin: new MeshStandardMaterial({ vertexColors: true, roughness: 0.62 }),
		skinPlain: new MeshStandardMaterial({ color: PALETTE.skin, roughness: 0.62 }),
		lids: new MeshStandardMaterial({ vertexColors: true, roughness: 0.62, side: DoubleSide }),
		lips: new MeshStandardMaterial({ color: PALETTE.lips, roughness: 0.32 }),
		interior: new MeshBasicMaterial({ vertexColors: true, side: DoubleSide }),
		teeth: new MeshStandardMaterial({
			color: PALETTE.teeth,
			emissive: 0x2a2622,
			roughness: 0.35,
			side: DoubleSide
		}),
		tongue: new MeshStandardMaterial({ color: PALETTE.tongue, roughness: 0.5, side: DoubleSide }),
		eyeball: new MeshStandardMaterial({ roughness: 0.12 }),
		catchlight: new MeshBasicMaterial({ color: 0xffffff }),
		brows: new MeshStandardMaterial({ color: PALETTE.brow, roughness: 0.85 }),
		hair: new MeshStandardMaterial({ vertexColors: true, roughness: 0.72 }),
		shirt: new MeshStandardMaterial({ color: PALETTE.shirt, roughness: 0.85 }),
		collar: new MeshStandardMaterial({ color: PALETTE.collar, roughness: 0.8 })
	};
	for (const material of Object.values(materials)) greyable(material, uniform);
	return materials;
}

/** The avatar's materials by part. */
export type AvatarMaterials = ReturnType<typeof createMaterials>;
