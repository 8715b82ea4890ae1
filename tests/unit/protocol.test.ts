import { describe, expect, it } from 'vitest';
import {
	MAX_CHAT_CHARS,
	MAX_FRAME_BYTES,
	isSequenced,
	isValidClientId,
	parseClientMessage,
	parseServerMessage,
	serialize,
	type ClientMessage,
	type ServerMessage
} from '../../src/lib/protocol';

const validClientMessages: ClientMessage[] = [
	{ type: 'pong', ts: 1_700_000_000_000 },
	{ type: 'ping' },
	{ type: 'resume', lastSeq: 0 },
	{ type: 'resume', lastSeq: 42 },
	{ type: 'resume', lastSeq: 42, epoch: '0f'.repeat(16), token: 'a'.repeat(43) },
	{ type: 'chat', id: 'm-1', text: 'hello' },
	{ type: 'chat', id: 'm-2', text: 'x'.repeat(MAX_CHAT_CHARS) },
	{ type: 'frame', id: 'f-1', mime: 'image/jpeg', width: 640, height: 480, data: 'AAEC/w==' },
	{ type: 'interrupt' },
	{ type: 'interrupt', replyId: 'r-1' },
	{ type: 'ack', seq: 7 }
];

const validServerMessages: ServerMessage[] = [
	{
		type: 'connected',
		clientId: 'c',
		sessionId: 's',
		serverTime: 1,
		pingIntervalMs: 10_000,
		epoch: 'e1'
	},
	{
		type: 'connected',
		clientId: 'c',
		sessionId: 's',
		serverTime: 1,
		pingIntervalMs: 10_000,
		epoch: 'e1',
		token: 'secret',
		resumedFrom: 'old'
	},
	{ type: 'ping', ts: 1 },
	{ type: 'pong', ts: 1 },
	{ type: 'ack', id: 'm-1' },
	{ type: 'reply.start', seq: 1, replyId: 'r', inReplyTo: 'm-1' },
	{ type: 'reply.delta', seq: 2, replyId: 'r', text: 'Hel' },
	{ type: 'reply.end', seq: 3, replyId: 'r', text: 'Hello', mood: 'happy' },
	{ type: 'reply.end', seq: 3, replyId: 'r', text: 'Hello' },
	{ type: 'reply.interrupted', seq: 4, replyId: 'r' },
	{ type: 'error', code: 'bad_message', message: 'Not JSON' },
	{ type: 'error', code: 'rate_limited', message: 'slow down', id: 'm-9' }
];

describe('protocol', () => {
	describe('parseClientMessage', () => {
		it.each(validClientMessages.map((m) => [m.type, m] as const))(
			'accepts a valid %s and round-trips it through serialize',
			(_type, message) => {
				expect(parseClientMessage(serialize(message))).toEqual({ ok: true, message });
			}
		);

		it.each([
			['non-JSON text', 'hello there', /Not JSON/],
			['a JSON array', '[1,2]', /JSON object/],
			['a message without a type', '{"text":"hi"}', /type/],
			['an unknown type', '{"type":"teleport"}', /Unknown message type "teleport"/],
			[
				'a chat whose text is a number',
				'{"type":"chat","id":"a","text":5}',
				/"chat" message: text/
			],
			['a chat without an id', '{"type":"chat","text":"hi"}', /"chat" message: id/],
			['an empty chat', '{"type":"chat","id":"a","text":""}', /text/],
			['a negative resume', '{"type":"resume","lastSeq":-1}', /lastSeq/],
			['a resume with a numeric token', '{"type":"resume","lastSeq":0,"token":7}', /token/],
			[
				'a resume with an overlong epoch',
				`{"type":"resume","lastSeq":0,"epoch":"${'e'.repeat(65)}"}`,
				/epoch/
			],
			['a fractional ack', '{"type":"ack","seq":1.5}', /seq/],
			['a pong without ts', '{"type":"pong"}', /ts/],
			[
				'a frame that is not base64',
				'{"type":"frame","id":"f","mime":"image/png","width":1,"height":1,"data":"!!"}',
				/data/
			],
			[
				'a frame that is not an image',
				'{"type":"frame","id":"f","mime":"text/html","width":1,"height":1,"data":""}',
				/mime/
			]
		])('refuses %s as bad_message, without throwing', (_what, raw, why) => {
			const result = parseClientMessage(raw);
			expect(result.ok).toBe(false);
			if (result.ok) return;
			expect(result.error.code).toBe('bad_message');
			expect(result.error.message).toMatch(why);
			expect(result.error.overLimit).toBeUndefined();
		});

		it('marks a chat one character over the limit as over the limit', () => {
			const result = parseClientMessage(
				serialize({ type: 'chat', id: 'a', text: 'x'.repeat(MAX_CHAT_CHARS + 1) })
			);
			expect(result).toMatchObject({
				ok: false,
				error: { code: 'bad_message', overLimit: true, id: 'a' }
			});
		});

		it('marks a frame longer than 256 KiB as over the limit', () => {
			const raw = JSON.stringify({
				type: 'frame',
				id: 'f',
				mime: 'image/png',
				width: 1,
				height: 1,
				data: 'A'.repeat(MAX_FRAME_BYTES)
			});
			expect(parseClientMessage(raw)).toMatchObject({ ok: false, error: { overLimit: true } });
		});

		it('reports the id of a refused message, so an outbox can drop it', () => {
			expect(parseClientMessage('{"type":"chat","id":"m-3","text":7}')).toMatchObject({
				ok: false,
				error: { id: 'm-3' }
			});
		});

		it('drops fields it does not know, since fields may be added', () => {
			expect(parseClientMessage('{"type":"ping","extra":1}')).toEqual({
				ok: true,
				message: { type: 'ping' }
			});
		});
	});

	describe('parseServerMessage', () => {
		it.each(validServerMessages.map((m) => [m.type, m] as const))(
			'accepts a valid %s and round-trips it',
			(_type, message) => {
				expect(parseServerMessage(serialize(message))).toEqual({ ok: true, message });
			}
		);

		it.each([
			['a reply.delta without seq', '{"type":"reply.delta","replyId":"r","text":"x"}'],
			['a reply with seq 0', '{"type":"reply.start","seq":0,"replyId":"r","inReplyTo":"m"}'],
			['an unknown mood', '{"type":"reply.end","seq":1,"replyId":"r","text":"x","mood":"furious"}'],
			[
				'a connected without clientId',
				'{"type":"connected","sessionId":"s","serverTime":1,"pingIntervalMs":1}'
			],
			['garbage', '}{']
		])('refuses %s', (_what, raw) => {
			expect(parseServerMessage(raw)).toMatchObject({ ok: false, error: { code: 'bad_message' } });
		});
	});

	it('tells sequenced (stored, replayed) server messages from the others', () => {
		expect(validServerMessages.filter(isSequenced).map((m) => m.type)).toEqual([
			'reply.start',
			'reply.delta',
			'reply.end',
			'reply.end',
			'reply.interrupted'
		]);
	});

	it.each([
		['test-client', true],
		['A_b-9', true],
		['x'.repeat(64), true],
		['', false],
		['x'.repeat(65), false],
		['has space', false],
		['a/b', false],
		['émile', false]
	])('isValidClientId(%j) is %s', (id, valid) => {
		expect(isValidClientId(id)).toBe(valid);
	});
});
