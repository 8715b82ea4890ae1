/**
 * An actor's current snapshot as a reactive value: reading `current` inside an effect, a derived
 * or a template subscribes to the actor for as long as something reads it, and no copy of the
 * snapshot is kept here (the actor remains the only owner of its state).
 */
import { createSubscriber } from 'svelte/reactivity';
import type { AnyActorRef, SnapshotFrom } from 'xstate';

export class ActorSnapshot<TActor extends AnyActorRef> {
	readonly #actor: TActor;
	readonly #subscribe: () => void;

	constructor(actor: TActor) {
		this.#actor = actor;
		this.#subscribe = createSubscriber((update) => {
			const subscription = actor.subscribe({ next: update, error: update });
			return () => subscription.unsubscribe();
		});
	}

	/** The actor's snapshot now; reactive. */
	get current(): SnapshotFrom<TActor> {
		this.#subscribe();
		return this.#actor.getSnapshot();
	}
}
