/**
 * An explicit requestAnimationFrame loop: the one place where the avatar's drawing is paced.
 *
 * - A frame-rate cap and a frames-per-second meter.
 * - It asks for no frames at all while nothing would be seen or nothing moves: the canvas is off
 *   screen (`visible`), the tab is hidden, or the owner says the picture is at rest (`resting`).
 * - It measures what each step costs on the main thread and adapts: when the avatar takes more
 *   than its share of the thread (a CPU renderer, a slow machine), it steps down a quality ladder
 *   (a smaller drawing buffer first, then fewer frames); when steps are cheap again, back up.
 *   The owner applies the pixel scale; the loop applies the frame rate.
 *
 * The step callback is bound once, so a running loop allocates nothing of its own.
 */

/** One rung of the quality ladder. */
export interface FrameQuality {
	/** Multiplies the frame-rate cap. */
	readonly fpsScale: number;
	/** Multiplies the drawing buffer's pixel ratio. */
	readonly pixelScale: number;
}

/** Best first; every rung costs less than the one before. */
export const QUALITY_LADDER: readonly FrameQuality[] = [
	{ fpsScale: 1, pixelScale: 1 },
	{ fpsScale: 1, pixelScale: 0.75 },
	{ fpsScale: 0.75, pixelScale: 0.75 },
	{ fpsScale: 0.66, pixelScale: 0.5 },
	{ fpsScale: 0.5, pixelScale: 0.5 },
	{ fpsScale: 0.33, pixelScale: 0.5 }
];

export interface FrameLoopOptions {
	/** Highest steps per second. */
	maxFps: number;
	/** Told when the pixel scale of the quality ladder changes. */
	onQuality?: (quality: FrameQuality) => void;
	/** Share of the main thread the steps may take before quality steps down. Default 0.25. */
	budget?: number;
	/** Clock, for tests. Default `performance.now`. */
	now?: () => number;
	/**
	 * False holds the best quality whatever frames cost (pixel comparisons need every frame drawn
	 * at one size). Default true.
	 */
	adaptive?: boolean;
}

/** Steps are measured over windows of this long before the quality may change. */
const WINDOW_MS = 1_000;
/** Quality steps back up once the steps take less than this share of the budget. */
const HEADROOM = 0.4;
/** Frames are lagging when they come at less than this share of the cap. */
const LAGGING = 0.8;
/**
 * Windows of headroom in a row before quality steps up (down is at once). A step up that has to
 * be taken back soon doubles the wait for the next one, so the picture does not flicker between
 * two sizes.
 */
const CALM_WINDOWS = 3;
const MAX_CALM_WINDOWS = 64;

/** Calls `step(dt)` at most `maxFps` times a second while started and something is to be seen. */
export class FrameLoop {
	private frame = 0;
	private running = false;
	private lastFrameAt = -1;
	private framesCounted = 0;
	private countSince = -1;
	private measured = 0;
	private stepCostMs = 0;
	private lastCostPerFrame = 0;
	private calmWindows = 0;
	private calmNeeded = CALM_WINDOWS;
	/** Windows since quality last stepped up. */
	private sinceUp = Number.POSITIVE_INFINITY;
	private rung = 0;
	private offscreen = false;
	private atRest = false;
	private readonly maxFps: number;
	private readonly budget: number;
	private readonly adaptive: boolean;
	private readonly onQuality: ((quality: FrameQuality) => void) | undefined;
	private readonly now: () => number;

	constructor(
		private readonly step: (dt: number) => void,
		options: FrameLoopOptions | number
	) {
		const opts = typeof options === 'number' ? { maxFps: options } : options;
		this.maxFps = Math.max(1, opts.maxFps);
		this.budget = opts.budget ?? 0.25;
		this.adaptive = opts.adaptive ?? true;
		this.onQuality = opts.onQuality;
		this.now = opts.now ?? (() => performance.now());
	}

	/** True between start() and stop(). */
	get isRunning(): boolean {
		return this.running;
	}

	/** Steps per second over the last full second; 0 while stopped or while no frame is drawn. */
	get fps(): number {
		return this.measured;
	}

	/** The quality in effect. */
	get quality(): FrameQuality {
		return QUALITY_LADDER[this.rung] as FrameQuality;
	}

	/** The frame-rate cap in effect: `maxFps` scaled by the quality. */
	get fpsCap(): number {
		return Math.max(1, this.maxFps * this.quality.fpsScale);
	}

	/** Main-thread ms one step took on average over the last measured window. */
	get costPerFrameMs(): number {
		return this.lastCostPerFrame;
	}

	/** False while the canvas is off screen: no frames are asked for. */
	get visible(): boolean {
		return !this.offscreen;
	}

	set visible(visible: boolean) {
		this.offscreen = !visible;
		this.wake();
	}

	/** True while nothing moves (the owner says so): no frames are asked for. */
	get resting(): boolean {
		return this.atRest;
	}

	set resting(resting: boolean) {
		this.atRest = resting;
		this.wake();
	}

	start(): void {
		if (this.running) return;
		this.running = true;
		document.addEventListener('visibilitychange', this.onVisibilityChange);
		this.wake();
	}

	stop(): void {
		this.running = false;
		document.removeEventListener('visibilitychange', this.onVisibilityChange);
		this.sleep();
	}

	/** Whether frames should be drawn now. */
	private get wanted(): boolean {
		return this.running && !this.offscreen && !this.atRest && !document.hidden;
	}

	/** Asks for frames again if they are wanted and none is asked for. */
	private wake(): void {
		if (!this.wanted) return this.sleep();
		if (this.frame !== 0) return;
		this.lastFrameAt = -1; // the first frame after a pause only sets the clock: no jump
		this.frame = requestAnimationFrame(this.tick);
	}

	private sleep(): void {
		if (this.frame !== 0) cancelAnimationFrame(this.frame);
		this.frame = 0;
		this.measured = 0;
	}

	private readonly onVisibilityChange = (): void => this.wake();

	private readonly tick = (now: number): void => {
		this.frame = 0;
		if (!this.wanted) return;
		this.frame = requestAnimationFrame(this.tick);
		if (this.lastFrameAt < 0) {
			this.lastFrameAt = now;
			this.openWindow(now);
			return;
		}
		const elapsed = now - this.lastFrameAt;
		// 1 ms of slack so a 60 Hz display still gives exactly 30 fps under a 30 fps cap.
		if (elapsed < 1000 / this.fpsCap - 1) return;
		this.lastFrameAt = now;
		const before = this.now();
		this.step(elapsed / 1000);
		this.stepCostMs += this.now() - before;
		this.framesCounted++;
		if (now - this.countSince >= WINDOW_MS) this.endWindow(now);
	};

	/** Closes a measuring window: the frame rate, and whether the quality should change. */
	private endWindow(now: number): void {
		const seconds = (now - this.countSince) / 1000;
		this.measured = this.framesCounted / seconds;
		this.lastCostPerFrame = this.stepCostMs / this.framesCounted;
		// Share of the main thread the steps took in this window, and whether frames came slower
		// than asked for (a CPU renderer works outside the main thread, in the GPU process).
		const share = this.stepCostMs / 1000 / seconds;
		const lagging = this.measured < LAGGING * this.fpsCap;
		this.openWindow(now);
		this.sinceUp += 1;
		if (!this.adaptive) return;
		if ((share > this.budget || lagging) && this.rung < QUALITY_LADDER.length - 1) {
			this.calmWindows = 0;
			if (this.sinceUp <= this.calmNeeded) {
				this.calmNeeded = Math.min(MAX_CALM_WINDOWS, this.calmNeeded * 2);
			}
			this.setRung(this.rung + 1);
		} else if (share < this.budget * HEADROOM && !lagging && this.rung > 0) {
			this.calmWindows += 1;
			if (this.calmWindows >= this.calmNeeded) {
				this.calmWindows = 0;
				this.sinceUp = 0;
				this.setRung(this.rung - 1);
			}
		} else this.calmWindows = 0;
	}

	/** Starts a measuring window at `now`. */
	private openWindow(now: number): void {
		this.countSince = now;
		this.framesCounted = 0;
		this.stepCostMs = 0;
	}

	private setRung(rung: number): void {
		const before = this.quality;
		this.rung = rung;
		if (this.quality.pixelScale !== before.pixelScale) this.onQuality?.(this.quality);
	}
}
