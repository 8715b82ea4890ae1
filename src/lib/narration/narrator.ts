/**
 * The one place the console tells the connection's story. It listens to the machine (the actor's
 * inspection stream in the tab that holds the connection, the mirrored snapshots in the others)
 * and to the tabs' coordination, and writes what `narrate.ts` derives from them. Nothing else in
 * the page writes these lines.
 */
import type { InspectionEvent, Observer } from 'xstate';
import type { ConnectionReader } from '$lib/connection/connection-view.svelte';
import {
	narrateStep,
	narrateTab,
	type NarratedEvent,
	type NarratedSnapshot,
	type TabStep
} from './narrate';
import { NAMESPACE } from './debug-enabled';

export type NarrationSink = (line: string) => void;

/** Writes to the console, tagged with the `debug` namespace. */
export const consoleSink: NarrationSink = (line) => console.info(`${NAMESPACE} ${line}`);

export class Narrator {
	readonly #write: NarrationSink;

	constructor(write: NarrationSink = consoleSink) {
		this.#write = write;
	}

	/** An inspection observer for the connection actor this tab runs. */
	observer(): Observer<InspectionEvent> {
		let before: NarratedSnapshot | null = null;
		return {
			next: (event) => {
				if (event.type !== '@xstate.snapshot' || event.actorRef.sessionId !== event.rootId) return;
				const after = event.snapshot as unknown as NarratedSnapshot;
				if (!after.value) return;
				this.#tell(narrateStep(before, after, event.event as NarratedEvent));
				before = after;
			}
		};
	}

	/** Follows a connection this tab only mirrors; returns the unsubscribe. */
	follow(reader: ConnectionReader): () => void {
		let before: NarratedSnapshot = reader.getSnapshot();
		const subscription = reader.subscribe((after) => {
			this.#tell(narrateStep(before, after));
			before = after;
		});
		return () => subscription.unsubscribe();
	}

	tab(step: TabStep): void {
		this.#write(narrateTab(step));
	}

	#tell(lines: string[]): void {
		for (const line of lines) this.#write(line);
	}
}
