import { describe, expect, it } from 'vitest';
import { CAMERA_MESSAGES, isCameraProblem, statusFromMediaError } from '$lib/camera/camera-status';

const mediaError = (name: string) => new DOMException('from getUserMedia', name);

describe('statusFromMediaError', () => {
	it('maps getUserMedia errors to what the button says', () => {
		expect(statusFromMediaError(mediaError('NotAllowedError'))).toBe('denied');
		expect(statusFromMediaError(mediaError('SecurityError'))).toBe('denied');
		expect(statusFromMediaError(mediaError('NotFoundError'))).toBe('no-camera');
		expect(statusFromMediaError(mediaError('OverconstrainedError'))).toBe('no-camera');
		expect(statusFromMediaError(mediaError('NotReadableError'))).toBe('busy');
		expect(statusFromMediaError(new TypeError('bad constraints'))).toBe('error');
		expect(statusFromMediaError(undefined)).toBe('error');
	});

	it('has a different human sentence for every status, and marks the problems', () => {
		const messages = Object.values(CAMERA_MESSAGES);
		expect(new Set(messages).size).toBe(messages.length);
		expect(isCameraProblem('denied')).toBe(true);
		expect(isCameraProblem('on')).toBe(false);
	});
});
