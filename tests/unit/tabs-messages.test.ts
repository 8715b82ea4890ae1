/**
 * The tabs' messages (issue 15): a mirrored snapshot of the real machine passes the schema and
 * rebuilds as a snapshot of the same machine; anything malformed is refused with where it is
 * wrong, and the channel drops it and says so, never throwing.
 */
import { createActor } from 'xstate';
import { describe, expect, it, vi } from 'vitest';
import { connectionMachine, connectionStateName } from '../../machines/connection';
import { MirrorActor, mirrorOf } from '../../src/lib/tabs/mirror-actor';
import { TabChannel, type BroadcastLike } from '../../src/lib/tabs/tab-channel';
import { parseTabMessage } from '../../src/lib/tabs/tab-messages';
import { FakeSocketRegistry } from '../support/fake-socket';

function runningSnapshot() {
	const sockets = new FakeSocketRegistry();
	const actor = createActor(connectionMachine, {
		input: { url: 'ws://localhost/ws/a', createSocket: sockets.create }
	});
	actor.start();
	actor.send({ type: 'CONNECT' });
	sockets.latest.serverOpen();
	const snapshot = actor.getSnapshot();
	actor.stop();
	return snapshot;
}

describe('tab messages', () => {
	it('a mirrored snapshot passes the schema and rebuilds the same state, with can()', () => {
		const snapshot = runningSnapshot();
		const parsed = parseTabMessage({ type: 'snapshot', from: 'tab-1', ...mirrorOf(snapshot) });
		expect(parsed.ok).toBe(true);
		if (!parsed.ok || parsed.message.type !== 'snapshot') return;
		const commands: string[] = [];
		const mirror = new MirrorActor(parsed.message, (command) => commands.push(command.type));
		expect(connectionStateName(mirror.getSnapshot())).toBe('open');
		expect(mirror.getSnapshot().context.url).toBe('ws://localhost/ws/a');
		expect(mirror.getSnapshot().can({ type: 'DISCONNECT' })).toBe(true);
		expect(mirror.getSnapshot().can({ type: 'CONNECT' })).toBe(false);
		mirror.send({ type: 'DISCONNECT' });
		expect(commands).toEqual(['DISCONNECT']);
	});

	it('a mirror tells its subscribers each update', () => {
		const first = mirrorOf(runningSnapshot());
		const mirror = new MirrorActor(first, () => {});
		const seen: string[] = [];
		const subscription = mirror.subscribe((snapshot) => seen.push(connectionStateName(snapshot)));
		mirror.update({ ...first, value: 'idle' });
		subscription.unsubscribe();
		mirror.update(first);
		expect(seen).toEqual(['idle']);
	});

	it('refuses malformed messages and says where', () => {
		const bad = [
			[
				{
					type: 'submit',
					from: 'b',
					message: { type: 'chat', id: 'x', text: '' },
					withImage: false
				},
				'message.text'
			],
			[{ type: 'command', from: 'b', command: 'SEND' }, 'command'],
			[{ type: 'server', from: 'a', message: { type: 'reply.start', seq: 0 } }, 'message'],
			[{ type: 'hello', from: '', lastSeq: 0 }, 'from'],
			[{ type: 'nonsense', from: 'a' }, 'type']
		] as const;
		for (const [message, where] of bad) {
			const parsed = parseTabMessage(message);
			expect(parsed.ok, JSON.stringify(message)).toBe(false);
			if (!parsed.ok) expect(parsed.error).toContain(where);
		}
		expect(parseTabMessage(null).ok).toBe(false);
		expect(parseTabMessage('{"type":"leader"}').ok).toBe(false);
	});

	it("the channel drops a bad message with a warning, skips its own and others' replies", () => {
		let deliver: (data: unknown) => void = () => {};
		const fake: BroadcastLike = {
			postMessage: vi.fn(),
			addEventListener: (_type, listener) => (deliver = (data) => listener({ data })),
			close: vi.fn()
		};
		const channel = new TabChannel(fake, 'me');
		const heard: string[] = [];
		channel.listen((message) => heard.push(message.type));
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		deliver({ type: 'leader' });
		deliver({ type: 'leader', from: 'me' });
		deliver({ type: 'taken', from: 'a', to: 'someone-else', id: 'x' });
		deliver({ type: 'taken', from: 'a', to: 'me', id: 'x' });
		deliver({ type: 'leader', from: 'a' });
		expect(heard).toEqual(['taken', 'leader']);
		expect(warn).toHaveBeenCalledTimes(1);
		warn.mockRestore();
		channel.post({ type: 'voice' });
		expect(fake.postMessage).toHaveBeenCalledWith({ type: 'voice', from: 'me' });
	});
});
