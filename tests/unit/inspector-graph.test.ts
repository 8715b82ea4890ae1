import { beforeAll, describe, expect, it } from 'vitest';
import { createActor, type AnyStateMachine } from 'xstate';
import {
	activeStateIds,
	countStateNodes,
	countTransitions,
	guardName,
	machineGraph
} from '../../src/lib/inspector/graph';
import { layoutChart, type ChartLayout } from '../../src/lib/inspector/layout';
import { connectionMachine } from '../../machines/connection';
import { sampleMachine } from './inspector-sample-machine';

/** Every transition definition of the machine, read from its raw config (a third, separate path). */
function transitionsInConfig(config: unknown): number {
	if (!config || typeof config !== 'object') return 0;
	const c = config as Record<string, unknown>;
	const many = (value: unknown): number =>
		value === undefined ? 0 : Array.isArray(value) ? value.length : 1;
	const mapCount = (value: unknown): number =>
		value && typeof value === 'object' ? Object.values(value).reduce((n, v) => n + many(v), 0) : 0;
	const invokes = c.invoke === undefined ? [] : Array.isArray(c.invoke) ? c.invoke : [c.invoke];
	let count = mapCount(c.on) + mapCount(c.after) + many(c.always) + many(c.onDone);
	for (const inv of invokes as Array<Record<string, unknown>>) {
		count += many(inv.onDone) + many(inv.onError) + many(inv.onSnapshot);
	}
	const states = (c.states ?? {}) as Record<string, unknown>;
	return count + Object.values(states).reduce<number>((n, s) => n + transitionsInConfig(s), 0);
}

const machines: Array<[string, AnyStateMachine]> = [
	['the connection machine', connectionMachine],
	['the sample machine', sampleMachine]
];

describe.each(machines)('machineGraph on %s', (_name, machine) => {
	const graph = machineGraph(machine);
	let layout: ChartLayout;
	beforeAll(async () => {
		layout = await layoutChart(graph);
	});

	it('has one node per state node of the definition', () => {
		expect(graph.nodes).toHaveLength(countStateNodes(machine));
		expect(new Set(graph.nodes.map((n) => n.id)).size).toBe(graph.nodes.length);
	});

	it('has one edge per transition of the definition', () => {
		expect(graph.edges).toHaveLength(countTransitions(machine));
		expect(new Set(graph.edges.map((e) => e.id)).size).toBe(graph.edges.length);
	});

	it('counts the same transitions as the raw machine config lists', () => {
		expect(countTransitions(machine)).toBe(transitionsInConfig(machine.config));
	});

	it('lists each compound node with its children and a parent for every other node', () => {
		for (const node of graph.nodes) {
			const stateNode = machine.getStateNodeById(node.id);
			expect(node.childIds).toEqual(Object.values(stateNode.states).map((s) => s.id));
			expect(node.parentId).toBe(stateNode.parent?.id ?? null);
		}
	});

	it('maps every transition definition back to its edge', () => {
		const all = graph.nodes.flatMap((n) => {
			const s = machine.getStateNodeById(n.id);
			return [...[...s.transitions.values()].flat(), ...(s.always ?? [])];
		});
		expect(all.map((t) => graph.edgeIdOf(t)).sort()).toEqual(graph.edges.map((e) => e.id).sort());
	});

	it('lays out a box for every node and a path and label for every edge', () => {
		for (const node of graph.nodes) {
			const box = layout.nodes[node.id];
			expect(box, node.id).toBeDefined();
			expect(box!.width).toBeGreaterThan(0);
			expect(box!.height).toBeGreaterThan(0);
		}
		for (const edge of graph.edges) {
			const route = layout.edges[edge.id]!;
			expect(route.label, edge.id).not.toBeNull();
			expect(route.paths.length, edge.id).toBe(edge.selfLoop ? 0 : edge.targetIds.length);
		}
	});

	it('lists the transitions that stay on a state inside that state box', () => {
		for (const edge of graph.edges.filter((e) => e.selfLoop)) {
			const row = layout.edges[edge.id]!.label!;
			const box = layout.nodes[edge.sourceId]!;
			expect(row.x).toBeGreaterThanOrEqual(box.x);
			expect(row.y + row.height).toBeLessThanOrEqual(box.y + box.height);
			expect(layout.edges[edge.id]!.inside).toBe(true);
		}
	});

	it('places every child inside its parent box', () => {
		for (const node of graph.nodes.filter((n) => n.parentId)) {
			const box = layout.nodes[node.id]!;
			const parent = layout.nodes[node.parentId!]!;
			expect(box.x).toBeGreaterThanOrEqual(parent.x);
			expect(box.y).toBeGreaterThanOrEqual(parent.y);
			expect(box.x + box.width).toBeLessThanOrEqual(parent.x + parent.width);
			expect(box.y + box.height).toBeLessThanOrEqual(parent.y + parent.height);
		}
	});
});

describe('machineGraph labels', () => {
	const graph = machineGraph(sampleMachine);
	const edgesFrom = (id: string) => graph.edges.filter((e) => e.sourceId === id);

	it('labels after-delays with the delay name and eventless transitions as always', () => {
		expect(edgesFrom('sample.live.open').map((e) => e.label)).toContain('after staleAfter');
		expect(edgesFrom('sample.checking').map((e) => [e.kind, e.label])).toEqual([
			['always', 'always [not(attemptsLeft)]'],
			['always', 'always']
		]);
	});

	it('names the guard of each guarded transition and keeps the event type', () => {
		const close = edgesFrom('sample.live').filter((e) => e.eventType === 'socket.close');
		expect(close.map((e) => [e.guard, e.targetIds])).toEqual([
			['isPermanentClose', ['sample.failed']],
			[null, ['sample.checking']]
		]);
	});

	it('draws an actions-only transition as a loop on its own state', () => {
		const send = edgesFrom('sample.live').find((e) => e.eventType === 'SEND');
		expect(send).toMatchObject({ targetless: true, targetIds: ['sample.live'] });
		const message = edgesFrom('sample.live.open').find((e) => e.eventType === 'socket.message');
		expect(message).toMatchObject({ targetless: false, targetIds: ['sample.live.open'] });
	});

	it('spells out object and inline guards', () => {
		expect(guardName({ type: 'isReady', params: {} })).toBe('isReady');
		expect(guardName(function isOpen() {})).toBe('isOpen');
		expect(guardName(undefined)).toBeNull();
	});
});

describe('activeStateIds', () => {
	it('lists the root, the active parents and the active leaf', () => {
		const actor = createActor(sampleMachine).start();
		actor.send({ type: 'CONNECT' });
		actor.send({ type: 'socket.open' });
		expect(activeStateIds(sampleMachine, actor.getSnapshot().value)).toEqual([
			'sample',
			'sample.live',
			'sample.live.open'
		]);
		actor.stop();
	});
});
