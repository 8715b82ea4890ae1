import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { countStateNodes, countTransitions } from '../../src/lib/inspector/graph';
import { machineJson } from '../../src/lib/inspector/machine-json';
import { connectionMachine } from '../../machines/connection';
import { sampleMachine } from './inspector-sample-machine';

describe('machineJson', () => {
	it.each([
		['the connection machine', connectionMachine],
		['the sample machine', sampleMachine]
	])('rebuilds %s with the same states and transitions', (_name, machine) => {
		const rebuilt = createMachine(JSON.parse(machineJson(machine)));
		expect(rebuilt.id).toBe(machine.id);
		expect(countStateNodes(rebuilt)).toBe(countStateNodes(machine));
		expect(countTransitions(rebuilt)).toBe(countTransitions(machine));
	});

	it('leaves out a context computed from the input', () => {
		expect(JSON.parse(machineJson(connectionMachine))).not.toHaveProperty('context');
		expect(JSON.parse(machineJson(sampleMachine)).context).toMatchObject({ attempt: 0 });
	});

	it('refers to guards, actions and delays by name', () => {
		const json = JSON.parse(machineJson(sampleMachine));
		expect(json.states.checking.always[0].guard).toBe('not(attemptsLeft)');
		expect(json.states.live.on['socket.close'][0]).toMatchObject({
			guard: 'isPermanentClose',
			actions: ['recordWhy', 'recordClose']
		});
		expect(Object.keys(json.states.live.states.open.after)).toEqual(['staleAfter']);
	});
});
