/**
 * The avatar's face over time, as numbers only (no three.js, no DOM), so it can be tested in
 * Node: eases toward the expression target, blends in lip-sync visemes, blinks at random,
 * breathes, sways the head a little, and points the eyes (pointer, wandering, the badge).
 * `update(dt)` allocates nothing; results are read from the public fields after each update.
 */
import { STATE_FACES, type FaceTarget } from './expressions';
import { DEFORMERS, VISEMES, isViseme, type Deformer, type Viseme } from './types';
import { visemeMatrix } from './viseme-mixes';

const D = DEFORMERS.length;
const V = VISEMES.length;
const index = (name: Deformer) => DEFORMERS.indexOf(name);
const BLINK_LEFT = index('eyeBlinkLeft');
const BLINK_RIGHT = index('eyeBlinkRight');
const JAW_OPEN = index('jawOpen');
const WIDE_LEFT = index('eyeWideLeft');
const WIDE_RIGHT = index('eyeWideRight');
/** Deformers of the mouth, damped while visemes drive it so speech reads clearly. */
const IS_MOUTH = Uint8Array.from(DEFORMERS, (d) => (/^(mouth|jaw|tongue)/.test(d) ? 1 : 0));
/** How far the eyes and head turn at gaze 1, in radians. */
const EYE_YAW = 0.42;
const EYE_PITCH = 0.3;
const HEAD_FOLLOW = 0.35;
/** Easing rates (per second) of the different layers. */
const RATE = { face: 4, viseme: 22, eyes: 24, head: 2.5, desaturate: 2 } as const;
/** Below this a viseme is not reported as the current one. */
const VISEME_SHOWN = 0.1;

function ease(rate: number, dt: number): number {
	return 1 - Math.exp(-rate * dt);
}

/** Moves `current` a fraction `k` toward `target`, landing exactly once within 1e-4, so a still
 * face really is still (identical frames) instead of creeping forever. */
function approach(current: number, target: number, k: number): number {
	const next = current + (target - current) * k;
	return Math.abs(target - next) < 1e-4 ? target : next;
}

function clamp(value: number, low: number, high: number): number {
	return value < low ? low : value > high ? high : value;
}

/** A point the eyes drift toward on their own, and the seconds until they pick another. */
interface Drift {
	x: number;
	y: number;
	changeIn: number;
}

/** Options of a {@link FaceAnimator}. */
export interface AnimatorOptions {
	/** Random source in [0, 1); pass a seeded one for repeatable tests. */
	random?: () => number;
	/** Deformers the head really has; visemes fall back to jawOpen for the others. */
	available?: ReadonlySet<string>;
}

/** Animates one face; read `weights`, `eyeYaw`… after each {@link FaceAnimator.update}. */
export class FaceAnimator {
	/** Final deformer weights in DEFORMERS order, each in [0, 1]. */
	readonly weights = new Float32Array(D);
	/** Smoothed viseme weights in VISEMES order. */
	readonly visemes = new Float32Array(V);
	eyeYaw = 0;
	eyePitch = 0;
	headYaw = 0;
	headPitch = 0;
	headRoll = 0;
	/** Breathing, -1..1 scaled by depth and motion. */
	breath = 0;
	desaturate = 0;
	/** Whether speech is under way; nods a little and keeps eye contact. */
	speaking = false;
	/**
	 * True when the last update changed nothing that is drawn: the face is at rest and the next
	 * frame looks exactly like this one (easing lands exactly, see `approach`).
	 */
	still = false;

	private readonly random: () => number;
	private matrix: Float32Array;
	private readonly expression = new Float32Array(D);
	private readonly expressionTarget = new Float32Array(D);
	private readonly visemeInput = new Float32Array(V);
	private unknownJaw = 0;
	private face: FaceTarget = STATE_FACES.open;
	private faceEased = {
		gazeX: 0,
		gazeY: 0,
		eyeContact: 1,
		wander: 0,
		pitch: 0,
		roll: 0,
		depth: 0.6
	};
	private motion = 1;
	private time = 0;
	private blinkAt = -1;
	private nextBlink = 2;
	private breathPhase = 0;
	/** Where the pointer is (as lookAt takes it), and seconds since it last moved. */
	private readonly pointer = { x: 0, y: 0, age: Infinity };
	/** Where the eyes wander on their own, now and then. */
	private readonly wander: Drift = { x: 0, y: 0, changeIn: 0 };
	/** Small quick moves of the eyes about where they look. */
	private readonly jitter: Drift = { x: 0, y: 0, changeIn: 1 };
	/** Where the eyes look, -1..1 each way (eased toward the target). */
	private readonly gaze = { x: 0, y: 0 };
	/** What the last update drew: the weights, then the eye, head, breath and colour values. */
	private readonly drawn = new Float64Array(D + 7).fill(Number.NaN);

	constructor(options: AnimatorOptions = {}) {
		this.random = options.random ?? Math.random;
		this.matrix = visemeMatrix(options.available);
		this.setTarget(this.face);
	}

	/**
	 * The deformers the face being driven has (a loaded model's differ from the built-in head's):
	 * visemes are shaped from these, with the jawOpen fallback; an empty set shapes none.
	 */
	setAvailable(available?: ReadonlySet<string>): void {
		this.matrix = visemeMatrix(available);
	}

	/** Sets the expression to ease toward (from expressionTarget()). */
	setTarget(face: FaceTarget): void {
		this.face = face;
		for (let d = 0; d < D; d++)
			this.expressionTarget[d] = face.deformers[DEFORMERS[d] as Deformer] ?? 0;
	}

	/** Viseme weights from lip sync; names that are not visemes open the jaw a little. */
	setVisemeWeights(weights: Readonly<Record<string, number>> | null | undefined): void {
		this.visemeInput.fill(0);
		this.unknownJaw = 0;
		if (!weights) return;
		for (const name in weights) {
			const weight = clamp(weights[name] ?? 0, 0, 1);
			if (isViseme(name)) this.visemeInput[VISEMES.indexOf(name)] = weight;
			else this.unknownJaw = Math.max(this.unknownJaw, 0.3 * weight);
		}
	}

	/** Shows one viseme at `weight`, all others at 0. */
	setViseme(viseme: Viseme, weight = 1): void {
		this.visemeInput.fill(0);
		this.unknownJaw = 0;
		const at = VISEMES.indexOf(viseme);
		if (at >= 0) this.visemeInput[at] = clamp(weight, 0, 1);
	}

	/** The pointer, normalised: x -1 left … 1 right, y -1 bottom … 1 top of the screen. */
	lookAt(x: number, y: number): void {
		this.pointer.x = clamp(x, -1, 1);
		this.pointer.y = clamp(y, -1, 1);
		this.pointer.age = 0;
	}

	/** 0 holds still (no sway, breathing, blinking or wandering), 1 is fully alive. */
	setMotion(level: number): void {
		this.motion = clamp(Number.isFinite(level) ? level : 1, 0, 1);
		if (this.motion === 0) this.blinkAt = -1;
	}

	/** The viseme the mouth shows most, or `sil`. */
	currentViseme(): Viseme {
		let best = 0;
		let bestWeight = VISEME_SHOWN;
		for (let v = 1; v < V; v++) {
			const weight = this.visemes[v] ?? 0;
			if (weight > bestWeight) {
				best = v;
				bestWeight = weight;
			}
		}
		return VISEMES[best] ?? 'sil';
	}

	/** Advances the face by `dt` seconds (clamped to 0..0.25). */
	update(dt: number): void {
		const step = clamp(Number.isFinite(dt) ? dt : 0, 0, 0.25);
		this.time += step;
		this.easeLayers(step);
		this.moveEyes(step);
		this.mixWeights(this.blink(step));
		this.moveHead(step);
		this.still = !this.recordDrawn();
	}

	/** Keeps what this update drew; true when any of it differs from the last update's. */
	private recordDrawn(): boolean {
		let changed = false;
		for (let d = 0; d < D; d++) changed = this.keep(d, this.weights[d] ?? 0) || changed;
		changed = this.keep(D, this.eyeYaw) || changed;
		changed = this.keep(D + 1, this.eyePitch) || changed;
		changed = this.keep(D + 2, this.headYaw) || changed;
		changed = this.keep(D + 3, this.headPitch) || changed;
		changed = this.keep(D + 4, this.headRoll) || changed;
		changed = this.keep(D + 5, this.breath) || changed;
		return this.keep(D + 6, this.desaturate) || changed;
	}

	private keep(at: number, value: number): boolean {
		if (this.drawn[at] === value) return false;
		this.drawn[at] = value;
		return true;
	}

	private easeLayers(dt: number): void {
		const k = ease(RATE.face, dt);
		for (let d = 0; d < D; d++) {
			this.expression[d] = approach(this.expression[d] ?? 0, this.expressionTarget[d] ?? 0, k);
		}
		const kv = ease(RATE.viseme, dt);
		for (let v = 0; v < V; v++) {
			this.visemes[v] = approach(this.visemes[v] ?? 0, this.visemeInput[v] ?? 0, kv);
		}
		const f = this.faceEased;
		const face = this.face;
		f.gazeX = approach(f.gazeX, face.gazeX, k);
		f.gazeY = approach(f.gazeY, face.gazeY, k);
		f.eyeContact = approach(f.eyeContact, face.eyeContact, k);
		f.wander = approach(f.wander, face.gazeWander, k);
		f.pitch = approach(f.pitch, face.headPitch, k);
		f.roll = approach(f.roll, face.headRoll, k);
		f.depth = approach(f.depth, face.breathDepth, k);
		this.desaturate = approach(this.desaturate, face.desaturate, ease(RATE.desaturate, dt));
	}

	/** Random blinks (now and then a double one); returns how closed the lids are, 0..1. */
	private blink(dt: number): number {
		if (this.motion === 0) return 0;
		const duration = this.face.blinkDuration;
		if (this.blinkAt < 0) {
			this.nextBlink -= dt;
			if (this.nextBlink > 0) return 0;
			this.blinkAt = 0;
			const interval = this.face.blinkInterval;
			this.nextBlink =
				this.random() < 0.15 ? duration * 1.3 : interval * (0.5 + this.random()) + duration;
		}
		this.blinkAt += dt;
		const p = this.blinkAt / duration;
		if (p >= 1) {
			this.blinkAt = -1;
			return 0;
		}
		// Lids close quickly and open more slowly.
		return p < 0.4 ? p / 0.4 : 1 - (p - 0.4) / 0.6;
	}

	private mixWeights(blink: number): void {
		let speech = this.unknownJaw;
		for (let v = 1; v < V; v++) speech += this.visemes[v] ?? 0;
		speech = Math.min(1, speech);
		for (let d = 0; d < D; d++) {
			let value = (this.expression[d] ?? 0) * (IS_MOUTH[d] ? 1 - 0.6 * speech : 1);
			for (let v = 0; v < V; v++) value += (this.visemes[v] ?? 0) * (this.matrix[v * D + d] ?? 0);
			this.weights[d] = clamp(value, 0, 1);
		}
		const jaw = this.weights[JAW_OPEN] ?? 0;
		this.weights[JAW_OPEN] = Math.max(jaw, this.unknownJaw);
		// Lids follow the eyes a little: up opens them, down lowers them.
		const up = Math.max(0, this.gaze.y) * 0.35;
		const down = Math.max(0, -this.gaze.y) * 0.3;
		this.weights[WIDE_LEFT] = clamp((this.weights[WIDE_LEFT] ?? 0) + up, 0, 1);
		this.weights[WIDE_RIGHT] = clamp((this.weights[WIDE_RIGHT] ?? 0) + up, 0, 1);
		const left = clamp((this.weights[BLINK_LEFT] ?? 0) + down, 0, 1);
		const right = clamp((this.weights[BLINK_RIGHT] ?? 0) + down, 0, 1);
		this.weights[BLINK_LEFT] = left + (1 - left) * blink;
		this.weights[BLINK_RIGHT] = right + (1 - right) * blink;
	}

	private moveEyes(dt: number): void {
		const m = this.motion;
		const f = this.faceEased;
		const { pointer, wander, jitter, gaze } = this;
		wander.changeIn -= dt;
		if (wander.changeIn <= 0 && m > 0) {
			wander.x = (this.random() * 2 - 1) * 0.8;
			wander.y = this.random() * 1.1 - 0.5;
			wander.changeIn = 0.5 + this.random();
		}
		jitter.changeIn -= dt;
		if (jitter.changeIn <= 0 && m > 0) {
			jitter.x = (this.random() * 2 - 1) * 0.06;
			jitter.y = (this.random() * 2 - 1) * 0.04;
			jitter.changeIn = 1.2 + this.random() * 2;
		}
		pointer.age += dt;
		// The pointer holds the eyes for 3 s after it last moved, then lets go over 2 s.
		const presence = pointer.age < 3 ? 1 : Math.max(0, 1 - (pointer.age - 3) / 2);
		const contact = clamp(f.eyeContact + (this.speaking ? 0.3 : 0), 0, 1) * presence;
		const wandering = f.wander * m;
		const ownX = f.gazeX + wander.x * wandering + jitter.x * m;
		const ownY = f.gazeY + wander.y * wandering + jitter.y * m;
		const targetX = ownX + (pointer.x - ownX) * contact;
		const targetY = ownY + (pointer.y - ownY) * contact;
		const k = ease(RATE.eyes, dt);
		gaze.x = approach(gaze.x, clamp(targetX, -1, 1), k);
		gaze.y = approach(gaze.y, clamp(targetY, -1, 1), k);
		this.eyeYaw = gaze.x * EYE_YAW;
		this.eyePitch = -gaze.y * EYE_PITCH;
	}

	private moveHead(dt: number): void {
		const m = this.motion;
		const t = this.time;
		const f = this.faceEased;
		const k = ease(RATE.head, dt);
		let speech = 0;
		for (let v = 1; v < V; v++) speech += this.visemes[v] ?? 0;
		const nod = this.speaking ? 0.025 * Math.sin(4.2 * t) * Math.min(1, speech) : 0;
		const yaw =
			this.gaze.x * EYE_YAW * HEAD_FOLLOW +
			m * (0.035 * Math.sin(0.37 * t) + 0.015 * Math.sin(0.91 * t + 1));
		const pitch =
			f.pitch -
			this.gaze.y * EYE_PITCH * HEAD_FOLLOW +
			m * (0.025 * Math.sin(0.29 * t + 2) + 0.01 * Math.sin(1.3 * t) + nod);
		const roll = f.roll + m * 0.02 * Math.sin(0.23 * t + 0.5);
		this.headYaw = approach(this.headYaw, yaw, k);
		this.headPitch = approach(this.headPitch, pitch, k);
		this.headRoll = approach(this.headRoll, roll, k);
		this.breathPhase += dt * (this.face.breathRate / 60) * Math.PI * 2;
		this.breath = Math.sin(this.breathPhase) * f.depth * m;
	}
}
