import { describe, expect, it } from 'vitest';
import { keepaliveFrame, parseFrame, PING_PROBE, pongFrame } from '../../machines/frames';

const parseKeepaliveFrame = (data: string) => keepaliveFrame(parseFrame(data));

describe('keepalive frames', () => {
	it('reads a connected frame and keeps only the client id', () => {
		expect(parseKeepaliveFrame('{"type":"connected","clientId":"a1","serverTime":5}')).toEqual({
			type: 'connected',
			clientId: 'a1'
		});
	});

	it('reads a server ping with its timestamp', () => {
		expect(parseKeepaliveFrame('{"type":"ping","ts":123}')).toEqual({ type: 'ping', ts: 123 });
	});

	it.each([
		'not json',
		'',
		'null',
		'[1,2]',
		'"ping"',
		'{"type":"ping"}',
		'{"type":"ping","ts":"1"}',
		'{"type":"connected","clientId":7}',
		'{"type":"chat","text":"hi"}'
	])('returns null for %j without throwing', (frame) => {
		expect(parseKeepaliveFrame(frame)).toBeNull();
	});

	it('parses a frame once, to undefined when it is not JSON', () => {
		expect(parseFrame('{"type":"ack","id":"a"}')).toEqual({ type: 'ack', id: 'a' });
		expect(parseFrame('null')).toBeNull();
		expect(parseFrame('{nope')).toBeUndefined();
	});

	it('answers a ping with a pong carrying the same ts', () => {
		expect(JSON.parse(pongFrame(42))).toEqual({ type: 'pong', ts: 42 });
	});

	it('probes with a bare ping', () => {
		expect(JSON.parse(PING_PROBE)).toEqual({ type: 'ping' });
	});
});
