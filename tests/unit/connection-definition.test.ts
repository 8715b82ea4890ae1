import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import {
	CONNECTION_STATE_NAMES,
	connectionMachine,
	connectionStateName,
	displayContext
} from '../../machines/connection';
import { startConnection } from '../support/connection-harness';

const machinesDir = new URL('../../machines/', import.meta.url);

/** Every transition of the definition, with its source node. */
function allTransitions() {
	return [connectionMachine.root, ...getStateNodes(connectionMachine.root)].flatMap((node) =>
		[...node.transitions.values()].flat().concat(node.always ?? [])
	);
}

/** The actions that record why the machine moves (each assigns `why`). */
const WHY_RECORDERS = new Set(['recordWhy', 'recordLoss', 'startOver', 'startAttempt']);

const actionNames = (actions: readonly unknown[]) =>
	actions.map((action) =>
		typeof action === 'object' && action !== null && 'type' in action ? action.type : action
	);

describe('connection machine definition', () => {
	it('has the six leaf states the page and the tests name', () => {
		const leaves = getStateNodes(connectionMachine.root)
			.filter((node) => node.type === 'atomic')
			.map((node) => node.key);
		expect(leaves.sort()).toEqual([...CONNECTION_STATE_NAMES].sort());
	});

	it('rule 16: every transition that changes the state records why', () => {
		// A server frame (re)enters `open` from `live`: from open the state stays the same, and from
		// stale it is stale's exit that records why.
		const isFrameToOpen = (t: { source: { id: string }; eventType: string }) =>
			t.source.id === 'connection.session.live' && t.eventType === 'socket.message';
		const changing = allTransitions().filter(
			(t) => t.target?.length && !(t.target[0] === t.source && t.reenter) && !isFrameToOpen(t)
		);
		expect(changing.length).toBeGreaterThan(20);
		for (const transition of changing) {
			const names = actionNames(transition.actions);
			expect(
				names.some((name) => WHY_RECORDERS.has(String(name))),
				`${transition.source.id} ${transition.eventType}: ${names.join(', ')}`
			).toBe(true);
		}
		const stale = connectionMachine.getStateNodeById('connection.session.live.stale');
		expect(actionNames(stale.exit)).toContain('recordWhy');
		expect(allTransitions().filter(isFrameToOpen).length).toBeGreaterThan(0);
	});

	it('says each action list once: no two transitions repeat a list of two or more actions', () => {
		const lists = allTransitions()
			.map((t) => actionNames(t.actions).join(','))
			.filter((list) => list.includes(','));
		expect(lists.length).toBeGreaterThan(0);
		expect(lists.filter((list, i) => lists.indexOf(list) !== i)).toEqual([]);
	});

	it('names every guard, action, delay and actor: no inline functions in the config', () => {
		for (const transition of allTransitions()) {
			expect(typeof transition.guard === 'function').toBe(false);
			for (const action of transition.actions) expect(typeof action).not.toBe('function');
		}
		for (const node of getStateNodes(connectionMachine.root)) {
			for (const action of [...node.entry, ...node.exit]) {
				// `after` adds xstate's own raise/cancel actions; the config's own are named strings.
				if (typeof action === 'function') {
					expect('type' in action && String(action.type)).toMatch(/^xstate\./);
				}
			}
			for (const invoke of node.invoke) expect(invoke.src).toBe('socket');
		}
	});

	it('imports nothing outside machines/ and the xstate package', () => {
		for (const file of readdirSync(machinesDir).filter((f) => f.endsWith('.ts'))) {
			const source = readFileSync(new URL(file, machinesDir), 'utf8');
			const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
			for (const spec of imports) expect(spec, `${file}: ${spec}`).toMatch(/^(xstate|\.\/[\w-]+)$/);
		}
	});

	it('connectionStateName returns the leaf state of every state value', () => {
		expect(connectionStateName({ value: 'idle' })).toBe('idle');
		expect(connectionStateName({ value: { session: 'connecting' } })).toBe('connecting');
		expect(connectionStateName({ value: { session: { live: 'stale' } } })).toBe('stale');
		expect(() => connectionStateName({ value: 'elsewhere' })).toThrow();
		const h = startConnection();
		h.connectAndConfirm();
		expect(connectionStateName(h.actor.getSnapshot())).toBe('open');
	});

	it('displayContext drops the injected functions and keeps the data', () => {
		const h = startConnection({ config: { staleAfter: 1234 } });
		const shown = displayContext(h.context());
		expect(shown).not.toHaveProperty('deps');
		expect(JSON.parse(JSON.stringify(shown))).toEqual(shown);
		expect(shown.config.staleAfter).toBe(1234);
		expect(shown.url).toBe('ws://localhost:8000/ws/test-client');
	});

	it('puts the actor in error with a RangeError for an invalid config', () => {
		const errors: unknown[] = [];
		const actor = createActor(connectionMachine, {
			input: { url: 'ws://x/ws/a', config: { jitter: 2 } }
		});
		actor.subscribe({ error: (error) => errors.push(error) });
		actor.start();
		expect(actor.getSnapshot().status).toBe('error');
		expect(errors[0]).toBeInstanceOf(RangeError);
	});
});
