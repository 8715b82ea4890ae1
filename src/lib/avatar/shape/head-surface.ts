/**
 * The head's shape as plain math (no three.js): an ellipsoid tapered toward the chin, with soft
 * bumps for nose, cheeks, muzzle and chin, and shallow eye sockets. Features are placed on this
 * surface with {@link surfaceZ}, so eyes, brows and lips sit on the skin wherever it curves.
 * Units: the head is about 2 tall, centred on the origin, facing +z; +x is the avatar's left.
 */

/** Where the features sit on the face. */
export const LAYOUT = {
	eyeX: 0.33,
	eyeY: -0.04,
	eyeRadius: 0.165,
	browY: 0.25,
	noseY: -0.26,
	mouthY: -0.52,
	mouthHalfWidth: 0.2
} as const;

const RX = 0.94;
const RY_TOP = 1.0;
const RY_BOTTOM = 0.98;
const RZ = 0.92;
const RZ_BACK = 0.98;

/** A 3-vector written into by the functions below, so callers can reuse one. */
export type Vec3 = [number, number, number];

/** exp(-(dx/sx)^2 - (dy/sy)^2): a soft round bump of height 1 at (cx, cy). */
export function bump(x: number, y: number, cx: number, cy: number, sx: number, sy: number) {
	const dx = (x - cx) / sx;
	const dy = (y - cy) / sy;
	return Math.exp(-dx * dx - dy * dy);
}

/** Hermite smoothstep of x between edges a and b (a may exceed b for a falling ramp). */
export function smoothstep(a: number, b: number, x: number): number {
	const t = Math.min(1, Math.max(0, (x - a) / (b - a)));
	return t * t * (3 - 2 * t);
}

/** Horizontal squeeze by height: a round cranium, a softer narrower jaw. */
function taper(sy: number): number {
	return sy >= 0 ? 1 - 0.03 * sy * sy : 1 - 0.26 * sy * sy;
}

/** How much a point faces forward, so face bumps fade out toward the ears. */
function frontness(sz: number): number {
	return smoothstep(0.05, 0.55, sz);
}

/** Forward offsets of the face: nose, cheeks, muzzle, chin, brow ridge, sockets. */
export function faceBumps(x: number, y: number): number {
	const { eyeX, eyeY, noseY, mouthY, browY } = LAYOUT;
	const ax = Math.abs(x);
	return (
		0.12 * bump(x, y, 0, noseY, 0.085, 0.085) +
		0.035 * bump(x, y, 0, noseY + 0.1, 0.05, 0.12) +
		0.055 * bump(ax, y, 0.4, -0.32, 0.18, 0.16) +
		0.035 * bump(x, y, 0, mouthY - 0.02, 0.26, 0.15) +
		0.03 * bump(x, y, 0, -0.84, 0.16, 0.1) +
		0.02 * bump(x, y, 0, browY - 0.03, 0.45, 0.06) -
		0.045 * bump(ax, y, eyeX, eyeY, 0.12, 0.1)
	);
}

/**
 * The skin point in direction `dir` from the centre (need not be normalised), written to `out`.
 */
export function headPoint(dir: Vec3, out: Vec3): Vec3 {
	const length = Math.hypot(dir[0], dir[1], dir[2]) || 1;
	const sx = dir[0] / length;
	const sy = dir[1] / length;
	const sz = dir[2] / length;
	const x = sx * RX * taper(sy);
	const y = sy * (sy >= 0 ? RY_TOP : RY_BOTTOM);
	const z = sz * (sz >= 0 ? RZ : RZ_BACK) + faceBumps(x, y) * frontness(sz);
	out[0] = x;
	out[1] = y;
	out[2] = z;
	return out;
}

/** Depth of the front of the face at (x, y); the ellipsoid's rim where (x, y) lies outside it. */
export function surfaceZ(x: number, y: number): number {
	const sy = y / (y >= 0 ? RY_TOP : RY_BOTTOM);
	const sx = x / (RX * taper(sy));
	const sz = Math.sqrt(Math.max(0, 1 - sx * sx - sy * sy));
	return sz * RZ + faceBumps(x, y) * frontness(sz);
}

/** Outward unit normal of the front of the face at (x, y), written to `out`. */
export function surfaceNormal(x: number, y: number, out: Vec3): Vec3 {
	const h = 0.002;
	const dzdx = (surfaceZ(x + h, y) - surfaceZ(x - h, y)) / (2 * h);
	const dzdy = (surfaceZ(x, y + h) - surfaceZ(x, y - h)) / (2 * h);
	const length = Math.hypot(dzdx, dzdy, 1);
	out[0] = -dzdx / length;
	out[1] = -dzdy / length;
	out[2] = 1 / length;
	return out;
}
