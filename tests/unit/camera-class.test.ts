import { describe, expect, it } from 'vitest';
import { Camera, type MediaDevicesLike } from '$lib/camera/camera.svelte';
import { CAMERA_MESSAGES, type CameraStatus } from '$lib/camera/camera-status';

const mediaError = (name: string) => new DOMException('from getUserMedia', name);

/** A camera track at the edge: records stop() and can end by itself. */
class FakeTrack extends EventTarget {
	stopped = false;
	stop(): void {
		this.stopped = true;
	}
}

function fakeStream(tracks: FakeTrack[]): MediaStream {
	// Node has no MediaStream; the camera only calls getTracks() on it.
	return { getTracks: () => tracks } as unknown as MediaStream;
}

/** `navigator.mediaDevices` at the edge, answering when the test says. */
function fakeDevices() {
	const pending: { resolve: (s: MediaStream) => void; reject: (e: unknown) => void }[] = [];
	const devices: MediaDevicesLike = {
		getUserMedia: () => new Promise((resolve, reject) => pending.push({ resolve, reject }))
	};
	return { devices, pending };
}

function setUp() {
	const { devices, pending } = fakeDevices();
	const statuses: CameraStatus[] = [];
	const camera = new Camera({
		mediaDevices: devices,
		createVideo: () => null,
		onStatus: (status) => statuses.push(status)
	});
	return { camera, pending, statuses };
}

describe('Camera', () => {
	it('says unsupported where there is no mediaDevices, without throwing', async () => {
		const camera = new Camera({ mediaDevices: null });
		expect(camera.supported).toBe(false);
		expect(await camera.start()).toBe('unsupported');
		expect(camera.message).toBe(CAMERA_MESSAGES.unsupported);
		expect(await camera.capture()).toBeNull();
	});

	it('turns a refused permission into denied', async () => {
		const { camera, pending, statuses } = setUp();
		const started = camera.start();
		pending[0]?.reject(mediaError('NotAllowedError'));
		expect(await started).toBe('denied');
		expect(statuses).toEqual(['starting', 'denied']);
		expect(camera.stream).toBeNull();
	});

	it('turns a missing camera into no-camera', async () => {
		const { camera, pending } = setUp();
		const started = camera.start();
		pending[0]?.reject(mediaError('NotFoundError'));
		expect(await started).toBe('no-camera');
	});

	it('exposes the stream when on and stops every track on stop', async () => {
		const { camera, pending, statuses } = setUp();
		const tracks = [new FakeTrack(), new FakeTrack()];
		const started = camera.start();
		expect(camera.start()).toBe(started);
		pending[0]?.resolve(fakeStream(tracks));
		expect(await started).toBe('on');
		expect(camera.stream?.getTracks()).toHaveLength(2);
		camera.stop();
		camera.stop();
		expect(tracks.every((t) => t.stopped)).toBe(true);
		expect(camera.stream).toBeNull();
		expect(statuses).toEqual(['starting', 'on', 'off']);
	});

	it('lets the camera go when switched off while the browser was still asking', async () => {
		const { camera, pending } = setUp();
		const track = new FakeTrack();
		const started = camera.toggle();
		await camera.toggle();
		pending[0]?.resolve(fakeStream([track]));
		expect(await started).toBe('off');
		expect(track.stopped).toBe(true);
		expect(camera.stream).toBeNull();
	});

	it('reports an error when the camera goes away while on', async () => {
		const { camera, pending } = setUp();
		const track = new FakeTrack();
		const started = camera.start();
		pending[0]?.resolve(fakeStream([track]));
		await started;
		track.dispatchEvent(new Event('ended'));
		expect(camera.status).toBe('error');
		expect(camera.stream).toBeNull();
	});

	it('takes no still while off', async () => {
		const { camera } = setUp();
		expect(await camera.captureForMessage()).toBeNull();
	});
});
