/** The avatar's colours (sRGB hex), in one place so the look can be tuned together. */
export const PALETTE = {
	skin: 0xf2c4a2,
	blush: 0xf0958a,
	lips: 0xd1676d,
	mouth: 0x4f1820,
	mouthDeep: 0x2a0a0f,
	teeth: 0xf7f2e8,
	tongue: 0xd8737b,
	sclera: 0xfbf9f4,
	iris: 0x5b8fc4,
	irisDark: 0x2c4f7a,
	pupil: 0x0f0d12,
	lash: 0x2b1d1a,
	hair: 0x5a3b2a,
	brow: 0x47301f,
	shirt: 0x3a8f86,
	collar: 0x2f766f
} as const;
