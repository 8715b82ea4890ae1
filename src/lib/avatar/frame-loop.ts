/**
 * An explicit requestAnimationFrame loop with a frame-rate cap and a frames-per-second meter.
 * The step callback is bound once, so a running loop allocates nothing of its own.
 */

/** Calls `step(dt)` at most `maxFps` times a second while started. */
export class FrameLoop {
	private frame = 0;
	private running = false;
	private lastFrameAt = -1;
	private framesCounted = 0;
	private countSince = -1;
	private measured = 0;
	/** While false, frames are skipped (the canvas is off screen) but the loop keeps ticking. */
	visible = true;

	constructor(
		private readonly step: (dt: number) => void,
		private readonly maxFps: number
	) {}

	/** True between start() and stop(). */
	get isRunning(): boolean {
		return this.running;
	}

	/** Steps per second over the last full second; 0 while stopped. */
	get fps(): number {
		return this.measured;
	}

	start(): void {
		if (this.running) return;
		this.running = true;
		this.lastFrameAt = -1;
		this.frame = requestAnimationFrame(this.tick);
	}

	stop(): void {
		this.running = false;
		cancelAnimationFrame(this.frame);
		this.frame = 0;
		this.measured = 0;
	}

	private readonly tick = (now: number): void => {
		if (!this.running) return;
		this.frame = requestAnimationFrame(this.tick);
		if (this.lastFrameAt < 0) {
			this.lastFrameAt = now;
			this.countSince = now;
			this.framesCounted = 0;
			return;
		}
		const elapsed = now - this.lastFrameAt;
		// 1 ms of slack so a 60 Hz display still gives exactly 30 fps under a 30 fps cap.
		if (elapsed < 1000 / this.maxFps - 1) return;
		this.lastFrameAt = now;
		if (!this.visible) return;
		this.step(elapsed / 1000);
		this.framesCounted++;
		if (now - this.countSince >= 1000) {
			this.measured = (this.framesCounted * 1000) / (now - this.countSince);
			this.framesCounted = 0;
			this.countSince = now;
		}
	};
}
