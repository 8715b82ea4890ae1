import { useSelector } from '@xstate/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { connectionMachine, connectionStateName } from '../../machines/connection';
import { selectFrom } from '../../src/lib/actor-selector';
import { FakeSocketRegistry } from '../support/fake-socket';

const URL = 'ws://localhost:8000/ws/selector-client';

function startedActor() {
	const sockets = new FakeSocketRegistry();
	const actor = createActor(connectionMachine, {
		input: { url: URL, createSocket: sockets.create, config: { jitter: 0 } }
	});
	return { actor, sockets };
}

afterEach(() => vi.useRealTimers());

// xstate issue 4941: a store seeded with the snapshot of the moment it was made, and subscribed
// to only after the actor moved on, showed the old state. `useSelector` must not.
describe('useSelector on the connection actor (the page binding)', () => {
	it('shows a transition made before the first subscriber', () => {
		vi.useFakeTimers();
		const { actor, sockets } = startedActor();
		const state = useSelector(actor, connectionStateName);
		actor.start();
		actor.send({ type: 'CONNECT' });
		sockets.latest.serverOpen();

		const seen: string[] = [];
		const unsubscribe = state.subscribe((value) => seen.push(value));
		expect(seen).toEqual(['open']);

		sockets.latest.serverClose(1012, 'service restart');
		expect(seen).toEqual(['open', 'backingOff']);
		unsubscribe();
		actor.stop();
	});

	it('reads the actor again when subscribed anew, after transitions nobody watched', () => {
		vi.useFakeTimers();
		const { actor } = startedActor();
		const state = useSelector(actor, connectionStateName);
		actor.start();
		state.subscribe(() => {})();
		actor.send({ type: 'CONNECT' });
		actor.send({ type: 'DISCONNECT' });
		actor.send({ type: 'CONNECT' });

		const seen: string[] = [];
		state.subscribe((value) => seen.push(value))();
		expect(seen).toEqual(['connecting']);
		actor.stop();
	});

	it('selectFrom reads the current value outside any effect', () => {
		vi.useFakeTimers();
		const { actor } = startedActor();
		const attempt = selectFrom(actor, (snapshot) => snapshot.context.attempt);
		const name = selectFrom(actor, connectionStateName);
		actor.start();
		actor.send({ type: 'CONNECT' });
		expect(name.current).toBe('connecting');
		expect(attempt.current).toBe(0);
		actor.stop();
	});
});
