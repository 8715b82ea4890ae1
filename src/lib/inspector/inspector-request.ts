/**
 * The light half of the Stately inspector support: reading `?inspect` from the page URL and
 * combining inspection observers. Nothing here loads `@statelyai/inspect`, so the page pays for
 * Stately's code only when someone asks to inspect.
 */
import type { InspectionEvent, Observer } from 'xstate';

export type InspectorRequest = { mode: 'browser' } | { mode: 'websocket'; url: string };

/**
 * One `inspect` observer out of several (createActor takes one): e.g. Stately's and the event
 * log's. Undefined entries are skipped, and one observer throwing does not starve the others.
 */
export function combineInspect(
	...observers: Array<Observer<InspectionEvent> | undefined>
): Observer<InspectionEvent> {
	const present = observers.filter((o): o is Observer<InspectionEvent> => !!o);
	return {
		next: (event) => {
			for (const observer of present) {
				try {
					observer.next?.(event);
				} catch (err) {
					console.error('An inspection observer failed:', err);
				}
			}
		}
	};
}

/** Reads `?inspect` / `?inspect=ws://…` from a page URL; null when the page was not asked to inspect. */
export function inspectorRequestFromUrl(url: URL | string): InspectorRequest | null {
	let value: string | null;
	try {
		value = new URL(url).searchParams.get('inspect');
	} catch {
		return null;
	}
	if (value === null || value === 'false' || value === '0') return null;
	if (/^wss?:\/\//i.test(value)) return { mode: 'websocket', url: value };
	return { mode: 'browser' };
}
