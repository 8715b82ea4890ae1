/**
 * A follower tab's view of the leader's outbox: the delivery state of each queued message, as
 * the leader last sent it. Read by the transcript for the marks; replaced whole at each change.
 */
import type { DeliverySource } from '$lib/chat/transcript.svelte';
import type { OutboxState } from '$lib/chat/outbox.svelte';

export class MirroredOutbox implements DeliverySource {
	#states = $state.raw<Readonly<Record<string, OutboxState>>>({});

	update(entries: ReadonlyArray<{ id: string; state: OutboxState }>): void {
		this.#states = Object.fromEntries(entries.map((entry) => [entry.id, entry.state]));
	}

	stateOf(id: string): OutboxState | undefined {
		return Object.hasOwn(this.#states, id) ? this.#states[id] : undefined;
	}
}
