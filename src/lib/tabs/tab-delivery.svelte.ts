/**
 * Where a tab's transcript reads the delivery state of a queued message. Its sources change with
 * the tab's role: the leader reads its own outbox; a follower reads the messages it holds until
 * the leader has them, then the leader's outbox as mirrored. The first source that knows the
 * message answers; each source stays the one owner of what it holds.
 */
import type { DeliverySource } from '$lib/chat/transcript.svelte';
import type { OutboxState } from '$lib/chat/outbox.svelte';

export class TabDelivery implements DeliverySource {
	#sources = $state.raw<readonly DeliverySource[]>([]);

	use(...sources: DeliverySource[]): void {
		this.#sources = sources;
	}

	stateOf(id: string): OutboxState | undefined {
		for (const source of this.#sources) {
			const state = source.stateOf(id);
			if (state !== undefined) return state;
		}
		return undefined;
	}
}
