/**
 * The machine's definition as JSON for Stately Studio: the config object given to
 * `createMachine` (states, transitions, guards and actions by name, delays, invokes), which is
 * what Studio's importer and Stately's inspector read. Functions become `{ type: name }` so a
 * `setup()` machine round-trips with every implementation referred to by name.
 */
import type { AnyStateMachine } from 'xstate';
import { guardName } from './graph';

/** Pretty-printed JSON of `machine.config`, safe against functions and cycles. */
export function machineJson(machine: AnyStateMachine): string {
	const ancestors: unknown[] = [];
	return JSON.stringify(
		machine.config,
		function (this: unknown, key: string, value: unknown) {
			if (typeof value === 'function') {
				// A context computed from the input has no JSON form; Studio does without it.
				if (key === 'context') return undefined;
				const type: unknown = (value as { type?: unknown }).type;
				if (typeof type === 'string') return { type };
				return key === 'guard' ? guardName(value) : { type: value.name || 'anonymous' };
			}
			if (!value || typeof value !== 'object') return value;
			while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
			if (ancestors.includes(value)) return undefined;
			ancestors.push(value);
			return value;
		},
		2
	);
}
