/**
 * A follower tab's copy of the leader's connection actor: it holds the last snapshot the leader
 * sent, rebuilt as a real snapshot of the same machine (`resolveState`), so the badge, the
 * buttons (`snapshot.can`) and the inspector work on it exactly as on the actor itself. It runs
 * nothing: no socket, no timer; the user's commands go to the leader.
 */
import type { Subscription } from 'xstate';
import {
	connectionMachine,
	type ConnectionDeps,
	type ConnectionSnapshot
} from '$machines/connection';
import type { ConnectionCommand, ConnectionReader } from '$lib/connection/connection-view.svelte';
import type { MirroredContext, MirroredValue } from './tab-messages';

/** The part of a snapshot another tab is sent: its state and its context's data. */
export interface MirroredSnapshot {
	value: MirroredValue;
	context: MirroredContext;
}

/** A snapshot as the leader sends it: the injected functions stay behind. */
export function mirrorOf(snapshot: ConnectionSnapshot): MirroredSnapshot {
	// eslint-disable-next-line @typescript-eslint/no-unused-vars -- left out on purpose
	const { deps, ...context } = snapshot.context;
	return { value: snapshot.value, context: structuredClone(context) };
}

/** A mirror never opens a socket; its clock and jitter only serve `can()`'s guards. */
const MIRROR_DEPS: ConnectionDeps = {
	createSocket: () => {
		throw new Error('A tab that follows the connection opens no socket.');
	},
	now: () => Date.now(),
	random: () => Math.random()
};

type SnapshotObserver = Parameters<ConnectionReader['subscribe']>[0];

let mirrors = 0;

export class MirrorActor implements ConnectionReader {
	readonly sessionId = `mirror-${++mirrors}`;
	readonly logic = connectionMachine;
	/** A mirror takes no steps of its own, so it has none to show the inspector. */
	readonly system = { inspect: (): Subscription => ({ unsubscribe() {} }) };
	#snapshot: ConnectionSnapshot;
	readonly #observers = new Set<(snapshot: ConnectionSnapshot) => void>();
	readonly #send: (command: ConnectionCommand) => void;

	constructor(first: MirroredSnapshot, send: (command: ConnectionCommand) => void) {
		this.#snapshot = resolve(first);
		this.#send = send;
	}

	/** The leader's machine took a step. */
	update(mirrored: MirroredSnapshot): void {
		this.#snapshot = resolve(mirrored);
		for (const observer of [...this.#observers]) observer(this.#snapshot);
	}

	getSnapshot(): ConnectionSnapshot {
		return this.#snapshot;
	}

	subscribe(observer: SnapshotObserver): Subscription {
		const next = typeof observer === 'function' ? observer : observer.next?.bind(observer);
		if (!next) return { unsubscribe() {} };
		this.#observers.add(next);
		return { unsubscribe: () => this.#observers.delete(next) };
	}

	send(command: ConnectionCommand): void {
		this.#send(command);
	}
}

function resolve(mirrored: MirroredSnapshot): ConnectionSnapshot {
	return connectionMachine.resolveState({
		value: mirrored.value,
		context: { ...mirrored.context, deps: MIRROR_DEPS }
	});
}
