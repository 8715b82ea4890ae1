/**
 * How each deformer moves the skin of the head, as a displacement field over rest positions.
 * The lips, lids and brows are separate parts with their own shapes; the skin here follows them
 * (the chin drops with the jaw, cheeks rise with a smile) so the seams never open.
 */
import type { Deformer } from '../types';
import { LAYOUT, bump, smoothstep, type Vec3 } from './head-surface';

/** The jaw hinges low behind the cheeks; at jawOpen = 1 it turns by JAW_ANGLE radians. */
export const JAW_HINGE = { y: -0.3, z: -0.25 } as const;
export const JAW_ANGLE = 0.24;
/** How far the jaw comes forward at jawForward = 1. */
export const JAW_FORWARD = 0.05;

/**
 * Writes to `out` how a point on the jaw at (y, z) moves when the jaw opens by `open` and comes
 * forward by `forward`. Small-angle rotation about the hinge, so it blends linearly as a morph.
 * Shared by the skin, lips, teeth and tongue so that they move together.
 */
export function jawMotion(y: number, z: number, open: number, forward: number, out: Vec3): Vec3 {
	out[0] = 0;
	out[1] = -JAW_ANGLE * open * (z - JAW_HINGE.z);
	out[2] = JAW_ANGLE * open * (y - JAW_HINGE.y) + JAW_FORWARD * forward;
	return out;
}

function sideSign(deformer: string): number {
	return deformer.endsWith('Left') ? 1 : -1;
}

/**
 * 1 on the chin and lower lip skin. The fold is crisp at the lips and wide over the cheeks, so
 * an open jaw stretches the cheeks smoothly instead of creasing them; it fades toward the ears.
 */
export function jawMask(x: number, y: number, z: number): number {
	const { mouthY } = LAYOUT;
	const ax = Math.abs(x);
	const wide = smoothstep(0.12, 0.55, ax);
	const top = mouthY + 0.01 + 0.06 * wide;
	const width = 0.07 + 0.3 * wide;
	return (
		smoothstep(top, top - width, y) * (1 - smoothstep(0.25, 0.8, ax)) * smoothstep(0.0, 0.4, z)
	);
}

/**
 * Writes to `out` how the skin point (x, y, z) moves at full `deformer` weight; zero for
 * deformers that leave the skin alone. Pure, allocation-free.
 */
export function skinOffset(deformer: Deformer, x: number, y: number, z: number, out: Vec3): Vec3 {
	out[0] = 0;
	out[1] = 0;
	out[2] = 0;
	if (z < -0.1) return out;
	const { mouthY, mouthHalfWidth, eyeX, eyeY, browY } = LAYOUT;
	const s = sideSign(deformer);
	const corner = bump(x, y, s * (mouthHalfWidth + 0.02), mouthY + 0.01, 0.1, 0.09);
	const aroundMouth = bump(x, y, 0, mouthY, 0.22, 0.13);
	switch (deformer) {
		case 'jawOpen':
		case 'jawForward': {
			const m = jawMask(x, y, z);
			jawMotion(y, z, deformer === 'jawOpen' ? m : 0, deformer === 'jawForward' ? m : 0, out);
			break;
		}
		case 'mouthSmileLeft':
		case 'mouthSmileRight': {
			const cheek = bump(x, y, s * 0.36, mouthY + 0.18, 0.13, 0.12);
			out[0] = s * 0.025 * corner;
			out[1] = 0.05 * corner + 0.03 * cheek;
			out[2] = -0.01 * corner + 0.03 * cheek;
			break;
		}
		case 'mouthFrownLeft':
		case 'mouthFrownRight':
			out[1] = -0.04 * corner;
			break;
		case 'mouthDimpleLeft':
		case 'mouthDimpleRight':
			out[0] = s * 0.03 * corner;
			out[2] = -0.015 * corner;
			break;
		case 'mouthPucker':
		case 'mouthFunnel': {
			const k = deformer === 'mouthPucker' ? 1 : 0.8;
			out[0] = -x * 0.3 * aroundMouth * k;
			out[2] = 0.05 * aroundMouth * k;
			break;
		}
		case 'mouthShrugUpper': {
			const lip = bump(x, y, 0, mouthY + 0.07, 0.15, 0.06);
			out[1] = 0.01 * lip;
			out[2] = 0.015 * lip;
			break;
		}
		case 'mouthLowerDownLeft':
		case 'mouthLowerDownRight':
			out[1] = -0.03 * bump(x, y, s * 0.1, mouthY - 0.1, 0.1, 0.06);
			break;
		case 'cheekSquintLeft':
		case 'cheekSquintRight': {
			const cheek = bump(x, y, s * 0.34, eyeY - 0.24, 0.14, 0.1);
			out[1] = 0.04 * cheek;
			out[2] = 0.02 * cheek;
			break;
		}
		case 'eyeSquintLeft':
		case 'eyeSquintRight': {
			const under = bump(x, y, s * eyeX, eyeY - 0.19, 0.12, 0.06);
			out[1] = 0.025 * under;
			out[2] = 0.01 * under;
			break;
		}
		case 'browInnerUp':
			out[1] = 0.04 * bump(Math.abs(x), y, 0.15, browY + 0.03, 0.1, 0.1);
			break;
		case 'browDownLeft':
		case 'browDownRight':
			out[1] = -0.035 * bump(x, y, s * 0.28, browY, 0.18, 0.1);
			break;
		case 'browOuterUpLeft':
		case 'browOuterUpRight':
			out[1] = 0.04 * bump(x, y, s * 0.42, browY, 0.12, 0.1);
			break;
		default:
			break;
	}
	return out;
}
