/**
 * The 3D avatar as a plain class: builds the scene on a canvas, runs an explicit animation loop
 * with a frame-rate cap (`start`, `stop`, `update(dt)`), takes connection state, mood, visemes
 * and the pointer, and releases everything in `dispose()`. Svelte wraps it in Avatar.svelte.
 */
import { NeutralToneMapping, WebGLRenderer } from 'three';
import { FaceAnimator } from './animator';
import { FrameLoop } from './frame-loop';
import { MorphBinding } from './morph-binding';
import { AvatarUnsupportedError } from './errors';
import { expressionTarget } from './expressions';
import { addEnvironment, createRig, disposeRig, frameCamera, type AvatarRig } from './scene';
import { isWebGLAvailable, probeWebGL } from './support';
import type { ConnectionStateName, FaceMood, Viseme } from './types';
import type { AvatarModel } from './model/avatar-model';

/** Called each frame for the current viseme weights (a lip-sync timeline at time t). */
export type VisemeSource = () => Readonly<Record<string, number>> | null | undefined;

/** Options of an {@link Avatar}; every field has a default. */
export interface AvatarOptions {
	/** Highest frame rate the loop renders at. Default 30, or 15 on a CPU renderer. */
	maxFps?: number;
	/** Cap on devicePixelRatio. Default 2. */
	pixelRatioCap?: number;
	/** Initial motion level, 0 (still) … 1. Default 1. */
	motion?: number;
	/** Random source for blinks and glances; a seeded one makes frames repeatable. */
	random?: () => number;
	/**
	 * Image-based lighting from a room made in code (no download). Default false: lights alone
	 * look nearly as good, and building the map takes seconds on software WebGL.
	 */
	environment?: boolean;
	/**
	 * False keeps the best quality even when frames cost too much (for pixel comparisons: every
	 * frame drawn at one size). Default true: a slow machine draws smaller and fewer frames.
	 */
	adaptiveQuality?: boolean;
	/** Told when the dominant viseme changes (not every frame). */
	onVisemeChange?: (viseme: Viseme) => void;
	/**
	 * Told when the face comes to rest (true: the last frame drew exactly what the one before
	 * did) and when it may move again (false).
	 */
	onStillChange?: (still: boolean) => void;
	/** Told when the GPU's count of geometries or textures changes (renderer.info.memory). */
	onMemoryChange?: (memory: GpuMemory) => void;
}

/** What the renderer holds on the GPU. */
export interface GpuMemory {
	geometries: number;
	textures: number;
}

const DEFAULT = {
	maxFps: 30,
	pixelRatioCap: 2,
	motion: 1,
	environment: false,
	adaptiveQuality: true
} as const;

/**
 * The default frame-rate cap on a CPU renderer (SwiftShader, llvmpipe). Its frames are drawn by
 * the GPU process's threads, which the loop cannot time (it measures the main thread), and they
 * keep pace by taking more cores: at 30 fps the head took both cores of a 2-core machine in
 * headless Chromium, idle on the talk page.
 */
const SOFTWARE_MAX_FPS = 15;

/** How much of the requested motion is kept when the user prefers reduced motion. */
const REDUCED_MOTION = 0.2;
/** How long the face takes to ease into a new expression; after that, asleep, it is at rest. */
const SETTLE_MS = 2_000;

/** A procedural talking head rendered with three.js on one canvas. */
export class Avatar {
	/** True when this browser can run the avatar (WebGL 2). */
	static isSupported(): boolean {
		return isWebGLAvailable();
	}

	readonly canvas: HTMLCanvasElement;
	private readonly renderer: WebGLRenderer;
	private readonly rig: AvatarRig;
	private readonly animator: FaceAnimator;
	private readonly options: Required<
		Omit<AvatarOptions, 'random' | 'onVisemeChange' | 'onStillChange' | 'onMemoryChange'>
	> &
		Pick<AvatarOptions, 'onVisemeChange' | 'onStillChange' | 'onMemoryChange'>;
	private readonly binding: MorphBinding;
	private readonly loop: FrameLoop;
	private readonly neckY: number;
	private readonly software: boolean;
	private readonly reducedMotion: MediaQueryList | null;
	private readonly resizeObserver: ResizeObserver | null;
	private readonly visibility: IntersectionObserver | null;
	private visemeSource: VisemeSource | null = null;
	private state: ConnectionStateName = 'open';
	private mood: FaceMood = 'neutral';
	private motion: number;
	private effectiveMotion = 1;
	private resumeOnRestore = false;
	private disposed = false;
	private lastViseme: Viseme = 'sil';
	private lastStill = false;
	private restTimer: ReturnType<typeof setTimeout> | undefined;
	private model: AvatarModel | null = null;
	private readonly memory: GpuMemory = { geometries: -1, textures: -1 };

	/**
	 * Builds the scene on `canvas`. Throws {@link AvatarUnsupportedError} when WebGL 2 is missing
	 * or the context cannot be created.
	 */
	constructor(canvas: HTMLCanvasElement, options: AvatarOptions = {}) {
		this.canvas = canvas;
		const probe = probeWebGL();
		if (!probe.supported) throw new AvatarUnsupportedError();
		// Field by field, so that an option passed as undefined keeps its default.
		this.options = {
			maxFps: Math.max(1, options.maxFps ?? (probe.software ? SOFTWARE_MAX_FPS : DEFAULT.maxFps)),
			pixelRatioCap: options.pixelRatioCap ?? DEFAULT.pixelRatioCap,
			motion: options.motion ?? DEFAULT.motion,
			environment: options.environment ?? DEFAULT.environment,
			adaptiveQuality: options.adaptiveQuality ?? DEFAULT.adaptiveQuality,
			onVisemeChange: options.onVisemeChange,
			onStillChange: options.onStillChange,
			onMemoryChange: options.onMemoryChange
		};
		// On a CPU renderer every pixel counts: one pixel per CSS pixel and no MSAA. High-density
		// screens need no MSAA either.
		this.software = probe.software;
		try {
			this.renderer = new WebGLRenderer({
				canvas,
				antialias: !probe.software && (globalThis.devicePixelRatio ?? 1) < 2,
				alpha: true,
				stencil: true,
				powerPreference: 'low-power'
			});
		} catch (cause) {
			throw new AvatarUnsupportedError({ cause });
		}
		this.renderer.toneMapping = NeutralToneMapping;
		this.renderer.setClearColor(0x000000, 0);
		this.rig = createRig();
		this.neckY = this.rig.headPivot.position.y;
		if (this.options.environment) addEnvironment(this.rig, this.renderer);
		this.binding = new MorphBinding(this.rig.morphMeshes);
		this.animator = new FaceAnimator({ random: options.random, available: this.binding.available });
		this.loop = new FrameLoop((dt) => this.update(dt), {
			maxFps: this.options.maxFps,
			adaptive: this.options.adaptiveQuality,
			onQuality: () => this.resize()
		});
		this.motion = this.options.motion;
		this.reducedMotion = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)') ?? null;
		this.reducedMotion?.addEventListener('change', this.applyMotion);
		this.applyMotion();
		this.applyExpression();
		canvas.addEventListener('webglcontextlost', this.contextLost);
		canvas.addEventListener('webglcontextrestored', this.contextRestored);
		this.resizeObserver =
			typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => this.resize());
		this.resizeObserver?.observe(canvas);
		this.visibility =
			typeof IntersectionObserver === 'undefined'
				? null
				: new IntersectionObserver((entries) => {
						this.loop.visible = entries[entries.length - 1]?.isIntersecting ?? true;
					});
		this.visibility?.observe(canvas);
		this.resize();
	}

	/** Frames rendered per second over the last full second (0 while stopped). */
	get frameRate(): number {
		return this.loop.fps;
	}

	/** The frame-rate cap and pixel scale the loop chose for what frames cost here. */
	get frameQuality(): { fpsCap: number; pixelScale: number; costPerFrameMs: number } {
		const loop = this.loop;
		return {
			fpsCap: loop.fpsCap,
			pixelScale: loop.quality.pixelScale,
			costPerFrameMs: loop.costPerFrameMs
		};
	}

	/** True while the face is at rest and no frames are drawn (asleep in `idle`). */
	get resting(): boolean {
		return this.loop.resting;
	}

	/** The motion level in effect: the requested one, capped at 0.2 under reduced motion. */
	get motionLevel(): number {
		return this.effectiveMotion;
	}

	/** The viseme the mouth shows most right now, or `sil`. */
	get currentViseme(): Viseme {
		return this.animator.currentViseme();
	}

	/** Starts the animation loop. Does nothing when running or disposed. */
	start(): void {
		if (!this.disposed) this.loop.start();
	}

	/** Stops the loop; the last frame stays on the canvas. */
	stop(): void {
		this.loop.stop();
	}

	/** Advances the animation by `dt` seconds and renders one frame. Allocates nothing. */
	update(dt: number): void {
		if (this.disposed) return;
		const animator = this.animator;
		if (this.visemeSource) animator.setVisemeWeights(this.visemeSource());
		animator.update(dt);
		if (this.model) {
			this.model.apply(animator, dt);
			this.renderer.render(this.model.scene, this.model.camera);
		} else this.drawBuiltIn();
		this.reportChanges();
	}

	/** Shows a loaded model in place of the built-in head (null: the built-in head again). The
	 * model stays its owner's: the Avatar never disposes it. */
	setModel(model: AvatarModel | null): void {
		if (model === this.model || this.disposed) return;
		this.model = model;
		this.animator.setAvailable(model ? model.plan.visemeDeformers : this.binding.available);
		this.resize();
	}

	private drawBuiltIn(): void {
		const animator = this.animator;
		this.binding.apply(animator.weights);
		const rig = this.rig;
		rig.eyeballs[0].rotation.set(animator.eyePitch, animator.eyeYaw, 0);
		rig.eyeballs[1].rotation.set(animator.eyePitch, animator.eyeYaw, 0);
		rig.headPivot.rotation.set(animator.headPitch, animator.headYaw, animator.headRoll);
		rig.headPivot.position.y = this.neckY + 0.01 * animator.breath;
		rig.body.scale.set(1 + 0.004 * animator.breath, 1 + 0.012 * animator.breath, 1);
		rig.desaturate.value = animator.desaturate;
		this.renderer.render(rig.scene, rig.camera);
	}

	private reportChanges(): void {
		const viseme = this.animator.currentViseme();
		if (viseme !== this.lastViseme) {
			this.lastViseme = viseme;
			this.options.onVisemeChange?.(viseme);
		}
		this.reportStill(this.animator.still);
		const { geometries, textures } = this.renderer.info.memory;
		if (geometries !== this.memory.geometries || textures !== this.memory.textures) {
			this.memory.geometries = geometries;
			this.memory.textures = textures;
			this.options.onMemoryChange?.({ geometries, textures });
		}
	}

	/** Sets the connection state whose expression the face eases toward. */
	setConnectionState(state: ConnectionStateName): void {
		this.state = state;
		this.applyExpression();
		this.moved();
	}

	/** Sets the mood of the current answer, blended with the connection state's face. */
	setMood(mood: FaceMood): void {
		this.mood = mood;
		this.applyExpression();
		this.moved();
	}

	/** Marks speech under way: steadier eye contact and small nods with the words. */
	setSpeaking(speaking: boolean): void {
		this.animator.speaking = speaking;
		this.moved();
	}

	/** Pushes viseme weights (any subset of the 15; others count as 0); eased each frame. */
	setVisemeWeights(weights: Readonly<Record<string, number>> | null | undefined): void {
		this.animator.setVisemeWeights(weights);
		this.moved();
	}

	/** Shows one viseme at `weight` (0..1), all others at 0. */
	setViseme(viseme: Viseme, weight = 1): void {
		this.animator.setViseme(viseme, weight);
		this.moved();
	}

	/** Pulls viseme weights from `source` every frame instead (null to stop). */
	setVisemeSource(source: VisemeSource | null): void {
		this.visemeSource = source;
		if (!source) this.animator.setVisemeWeights(null);
	}

	/** Points the eyes at the pointer: x -1 left … 1 right, y -1 bottom … 1 top. */
	lookAt(x: number, y: number): void {
		this.animator.lookAt(x, y);
		this.moved();
	}

	/** Stillness slider: 0 holds still, 1 fully alive. Reduced-motion users get at most 0.2. */
	setMotion(level: number): void {
		this.motion = level;
		this.applyMotion();
		this.moved();
	}

	/** Matches the drawing buffer to the canvas's CSS size (ResizeObserver calls this). */
	resize(): void {
		if (this.disposed) return;
		const width = Math.max(1, this.canvas.clientWidth);
		const height = Math.max(1, this.canvas.clientHeight);
		const cap = this.software ? 1 : this.options.pixelRatioCap;
		const ratio = Math.min(globalThis.devicePixelRatio ?? 1, cap) * this.loop.quality.pixelScale;
		this.renderer.setPixelRatio(ratio);
		this.renderer.setSize(width, height, false);
		frameCamera(this.rig.camera, width / height);
		this.model?.frame(width / height);
		if (!this.loop.isRunning || this.loop.resting) {
			if (this.model) this.renderer.render(this.model.scene, this.model.camera);
			else this.renderer.render(this.rig.scene, this.rig.camera);
		} else this.reportStill(false); // the next frame is drawn at the new size
	}

	/**
	 * Releases everything, in order: animation frame, geometries, materials, textures, renderer
	 * (and its context), observers and listeners. Safe to call twice.
	 */
	dispose(): void {
		if (this.disposed) return;
		this.stop();
		clearTimeout(this.restTimer);
		this.disposed = true;
		disposeRig(this.rig);
		this.renderer.dispose();
		this.renderer.forceContextLoss();
		this.resizeObserver?.disconnect();
		this.visibility?.disconnect();
		this.reducedMotion?.removeEventListener('change', this.applyMotion);
		this.canvas.removeEventListener('webglcontextlost', this.contextLost);
		this.canvas.removeEventListener('webglcontextrestored', this.contextRestored);
		this.visemeSource = null;
		this.model = null;
	}

	private readonly applyMotion = (): void => {
		const reduce = this.reducedMotion?.matches ?? false;
		const level = Math.min(1, Math.max(0, Number.isFinite(this.motion) ? this.motion : 1));
		this.effectiveMotion = reduce ? Math.min(level, REDUCED_MOTION) : level;
		this.animator.setMotion(this.effectiveMotion);
	};

	private readonly contextLost = (event: Event): void => {
		// Without preventDefault the browser never gives the context back.
		event.preventDefault();
		this.resumeOnRestore = this.loop.isRunning;
		this.stop();
	};

	private readonly contextRestored = (): void => {
		if (this.resumeOnRestore) this.start();
		this.resumeOnRestore = false;
	};

	/**
	 * Something changed that the face shows: draw again. Asleep (`idle`) and not speaking, the
	 * face comes to rest once it has eased into place, and then no frames are drawn at all.
	 */
	private moved(): void {
		this.reportStill(false);
		this.loop.resting = false;
		clearTimeout(this.restTimer);
		if (this.state === 'idle' && !this.animator.speaking && !this.disposed) {
			this.restTimer = setTimeout(() => {
				this.loop.resting = true;
				this.reportStill(true); // no frame comes until something changes
			}, SETTLE_MS);
		}
	}

	private reportStill(still: boolean): void {
		if (still === this.lastStill) return;
		this.lastStill = still;
		this.options.onStillChange?.(still);
	}

	private applyExpression(): void {
		this.animator.setTarget(expressionTarget(this.state, this.mood));
	}
}
