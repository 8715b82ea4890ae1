import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { countStateNodes, countTransitions } from '../../src/lib/inspector/graph';
import { machineJson } from '../../src/lib/inspector/machine-json';
import { sampleMachine } from './inspector-sample-machine';

describe('machineJson', () => {
	it('rebuilds into a machine with the same states and transitions', () => {
		const rebuilt = createMachine(JSON.parse(machineJson(sampleMachine)));
		expect(rebuilt.id).toBe(sampleMachine.id);
		expect(countStateNodes(rebuilt)).toBe(countStateNodes(sampleMachine));
		expect(countTransitions(rebuilt)).toBe(countTransitions(sampleMachine));
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
