/**
 * The user's camera: asks for it, exposes the stream for a small mirrored preview (mirror it in
 * CSS; stills are not mirrored), and takes downscaled JPEG stills, one with each chat message
 * and, when `onFrame` is given, one at most every 5 s while on. Every failure becomes a status
 * with a message; nothing throws to the page.
 *
 * It is the one owner of the camera's state: `status`, `message` and `problem` (from
 * `DeviceStatus`) and `stream` are reactive (runes), so the page reads them here instead of
 * keeping copies.
 */
import { DeviceStatus } from '$lib/device/device-status.svelte';
import { MAX_FRAME_BYTES } from '$lib/protocol/limits';
import { browserClock, type Clock } from '$lib/speech/synth-types';
import { CAMERA_MEANING, statusFromMediaError, type CameraStatus } from './camera-status';
import { FrameThrottle } from './frame-throttle';
import { captureStill, type CameraFrame } from './still';

/** What the camera needs of `navigator.mediaDevices`. */
export interface MediaDevicesLike {
	getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
}

export interface CameraOptions {
	/** Default: `navigator.mediaDevices` (missing on plain-http pages); null = unsupported. */
	mediaDevices?: MediaDevicesLike | null;
	/** The hidden video element stills are taken from. Default: a new `<video>`. */
	createVideo?: () => HTMLVideoElement | null;
	clock?: Clock;
	/** Least time between periodic stills, ms. */
	intervalMs?: number;
	maxWidth?: number;
	quality?: number;
	onStatus?: (status: CameraStatus, message: string) => void;
	/** Periodic stills while the camera is on; leave out to send stills with messages only. */
	onFrame?: (frame: CameraFrame) => void;
}

const DEFAULTS = { intervalMs: 5000, maxWidth: 640, quality: 0.7, readyTimeoutMs: 1500 };
/** Room left in a frame message for the JSON around the picture. */
const MAX_DATA_CHARS = MAX_FRAME_BYTES - 2048;
/** `HTMLMediaElement.HAVE_CURRENT_DATA`: a picture can be drawn. */
const HAVE_CURRENT_DATA = 2;
const CONSTRAINTS: MediaStreamConstraints = {
	video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } },
	audio: false
};

function browserMediaDevices(): MediaDevicesLike | null {
	return typeof navigator === 'undefined' ? null : (navigator.mediaDevices ?? null);
}

function browserVideo(): HTMLVideoElement | null {
	if (typeof document === 'undefined') return null;
	const video = document.createElement('video');
	video.muted = true;
	video.playsInline = true;
	return video;
}

/** The camera; see the file comment. */
export class Camera extends DeviceStatus<CameraStatus> {
	readonly #devices: MediaDevicesLike | null;
	readonly #options: CameraOptions;
	readonly #clock: Clock;
	readonly #throttle: FrameThrottle;
	#stream = $state.raw<MediaStream | null>(null);
	#video: HTMLVideoElement | null = null;
	#starting: Promise<CameraStatus> | null = null;
	/** Bumped by every start and stop, so a late `getUserMedia` answer knows it is stale. */
	#generation = 0;
	#timer: unknown = null;

	constructor(options: CameraOptions = {}) {
		const devices =
			options.mediaDevices === undefined ? browserMediaDevices() : options.mediaDevices;
		super(devices ? 'off' : 'unsupported', CAMERA_MEANING, options.onStatus);
		this.#options = options;
		this.#devices = devices;
		this.#clock = options.clock ?? browserClock;
		this.#throttle = new FrameThrottle(options.intervalMs ?? DEFAULTS.intervalMs);
	}

	get supported(): boolean {
		return this.#devices !== null;
	}

	get on(): boolean {
		return this.status === 'on';
	}

	/** The live stream for the preview's `srcObject`; null while off. */
	get stream(): MediaStream | null {
		return this.#stream;
	}

	/** Asks for the camera; resolves to the resulting status (never rejects). */
	start(): Promise<CameraStatus> {
		if (this.status === 'on') return Promise.resolve('on');
		this.#starting ??= this.#open().finally(() => (this.#starting = null));
		return this.#starting;
	}

	/** Stops every track and the periodic stills. Safe to call twice. */
	stop(): void {
		this.#generation++;
		this.#release();
		if (this.status === 'on' || this.status === 'starting') this.setStatus('off');
	}

	/** Starts when off (or after a problem), stops when on or starting. */
	toggle(): Promise<CameraStatus> {
		if (this.status === 'on' || this.status === 'starting') {
			this.stop();
			return Promise.resolve(this.status);
		}
		return this.start();
	}

	/** The current picture as a JPEG at most `maxWidth` wide; null while off or not ready. */
	async capture(maxWidth?: number, quality?: number): Promise<CameraFrame | null> {
		const video = this.#video;
		if (this.status !== 'on' || !video) return null;
		try {
			await this.#whenReady(video);
			const width = maxWidth ?? this.#options.maxWidth ?? DEFAULTS.maxWidth;
			const q = quality ?? this.#options.quality ?? DEFAULTS.quality;
			return await captureStill(video, width, q, MAX_DATA_CHARS);
		} catch {
			return null;
		}
	}

	/** A still to send with a chat message; the periodic countdown starts again from now. */
	async captureForMessage(): Promise<CameraFrame | null> {
		const frame = await this.capture();
		if (frame) {
			this.#throttle.sent(this.#clock.now());
			this.#schedule();
		}
		return frame;
	}

	dispose(): void {
		this.stop();
	}

	async #open(): Promise<CameraStatus> {
		if (!this.#devices) {
			this.setStatus('unsupported');
			return this.status;
		}
		const generation = ++this.#generation;
		this.setStatus('starting');
		let stream: MediaStream;
		try {
			stream = await this.#devices.getUserMedia(CONSTRAINTS);
		} catch (error) {
			if (generation === this.#generation) this.setStatus(statusFromMediaError(error));
			return this.status;
		}
		if (generation !== this.#generation) {
			// Switched off while the browser was asking: let the camera go at once.
			for (const track of stream.getTracks()) track.stop();
			return this.status;
		}
		this.#use(stream);
		return this.status;
	}

	#use(stream: MediaStream): void {
		this.#stream = stream;
		for (const track of stream.getTracks()) {
			// Unplugged, or permission taken back: the camera is gone.
			track.addEventListener('ended', () => {
				if (this.#stream !== stream) return;
				this.#release();
				this.setStatus('error');
			});
		}
		this.#video = (this.#options.createVideo ?? browserVideo)();
		if (this.#video) {
			this.#video.srcObject = stream;
			this.#video.play().catch(() => {
				// A muted inline video may always play; if not, stills just come back null.
			});
		}
		this.#throttle.reset();
		this.setStatus('on');
		this.#schedule();
	}

	#release(): void {
		if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
		this.#timer = null;
		for (const track of this.#stream?.getTracks() ?? []) track.stop();
		if (this.#video) this.#video.srcObject = null;
		this.#stream = null;
		this.#video = null;
		this.#throttle.reset();
	}

	/** Arms the next periodic still, if periodic stills are wanted. */
	#schedule(): void {
		if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
		this.#timer = null;
		if (!this.#options.onFrame || this.status !== 'on') return;
		const wait = this.#throttle.wait(this.#clock.now());
		this.#timer = this.#clock.setTimeout(() => void this.#periodic(), wait);
	}

	async #periodic(): Promise<void> {
		this.#timer = null;
		const generation = this.#generation;
		const frame = await this.capture();
		if (generation !== this.#generation || this.status !== 'on') return;
		// Counted even when no picture came, so a camera that is not ready is not polled hard.
		this.#throttle.sent(this.#clock.now());
		if (frame) this.#options.onFrame?.(frame);
		this.#schedule();
	}

	/** Waits (briefly) until the video has a picture to draw. */
	async #whenReady(video: HTMLVideoElement): Promise<void> {
		if (video.readyState >= HAVE_CURRENT_DATA) return;
		await new Promise<void>((resolve) => {
			const timer = this.#clock.setTimeout(resolve, DEFAULTS.readyTimeoutMs);
			video.addEventListener(
				'loadeddata',
				() => {
					this.#clock.clearTimeout(timer);
					resolve();
				},
				{ once: true }
			);
		});
	}
}
