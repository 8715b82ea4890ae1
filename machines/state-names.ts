/** The six leaf states the page and the tests name, and how to read one from a snapshot. */
import type { StateValue } from 'xstate';

export const CONNECTION_STATE_NAMES = [
	'idle',
	'connecting',
	'open',
	'stale',
	'backingOff',
	'failed'
] as const;
export type ConnectionStateName = (typeof CONNECTION_STATE_NAMES)[number];

/** The leaf state's name: what the page and the tests switch on. */
export function connectionStateName(snapshot: { value: StateValue }): ConnectionStateName {
	let value: StateValue = snapshot.value;
	while (typeof value !== 'string') {
		const [child] = Object.values(value);
		if (child === undefined) break;
		value = child;
	}
	const name = CONNECTION_STATE_NAMES.find((candidate) => candidate === value);
	if (!name)
		throw new Error(`connectionStateName: unknown state ${JSON.stringify(snapshot.value)}`);
	return name;
}
