/**
 * The page's one binding to XState actors: `@xstate/svelte`'s `useSelector`, read as a rune-friendly
 * `{ current }` through Svelte's `fromStore`. `useSelector` reads `actor.getSnapshot()` when its
 * first subscriber comes (xstate PR 4168), so a transition taken before anything rendered is shown
 * correctly (the stale seed of xstate issue 4941 affects `useActor`/`useMachine` only). Nothing is
 * copied: outside an effect, `current` subscribes and reads the actor once more.
 */
import { useSelector } from '@xstate/svelte';
import { fromStore } from 'svelte/store';
import type { AnyActorRef } from 'xstate';

/** What `useSelector` needs of an actor: its snapshot and a way to hear of the next one. */
export type SelectableActor = Pick<AnyActorRef, 'getSnapshot' | 'subscribe'>;

/** A value selected from an actor's snapshot; `current` is reactive. */
export interface Selected<T> {
	readonly current: T;
}

export function selectFrom<TActor extends SelectableActor, T>(
	actor: TActor,
	selector: (snapshot: ReturnType<TActor['getSnapshot']>) => T,
	compare?: (a: T, b: T) => boolean
): Selected<T> {
	return fromStore(useSelector(actor, selector as never, compare));
}

/** Equal when both hold the same values under the same keys (one level deep). */
export function shallowEqual<T extends object>(a: T, b: T): boolean {
	const keys = Object.keys(a) as (keyof T)[];
	return keys.length === Object.keys(b).length && keys.every((key) => Object.is(a[key], b[key]));
}
