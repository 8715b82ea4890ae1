/**
 * Model-based tests: paths generated from the real machine definition (see connection-model.ts
 * and model-paths.ts) run against the real machine with fake sockets and a simulated clock; at
 * every step the state, the context, the clock, the pending timers and the live sockets must be
 * what the model predicts. Coverage is measured on the running actor (`@xstate.microstep`
 * inspection events) against every transition and state node of the definition.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { AnyStateNode, AnyTransitionDefinition, InspectionEvent } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import {
	connectionMachine,
	displayContext,
	type ConnectionContext
} from '../../machines/connection';
import { startConnection, type Harness } from '../support/connection-harness';
import {
	activeStateNodes,
	initialModelSnapshot,
	takenTransitions,
	MODEL_CONFIG,
	MODEL_URL,
	nextTimer,
	modelStateKey,
	stepModel,
	type ModelEvent,
	type ModelState
} from './connection-model';
import { buildModelGraph, edgeTour, type ModelPath } from './model-paths';

const stateNodes = getStateNodes(connectionMachine.root);
const allTransitions = [connectionMachine.root, ...stateNodes].flatMap((node) =>
	[...node.transitions.values()].flat().concat(node.always ?? [])
);
const coveredTransitions = new Set<AnyTransitionDefinition>();
const coveredStates = new Set<AnyStateNode>();
let matchedSteps = 0;
/** Transitions the real actor took during the current step. */
const stepTransitions: AnyTransitionDefinition[] = [];

function record(event: InspectionEvent) {
	const taken = takenTransitions(event);
	for (const transition of taken) coveredTransitions.add(transition);
	stepTransitions.push(...taken);
	for (const node of activeStateNodes(event)) coveredStates.add(node);
}

const describeTransition = (t: AnyTransitionDefinition) =>
	`${t.source.id} --${t.eventType}--> ${t.target?.map((n) => n.id).join(',') ?? '(none)'}` +
	(t.guard ? ` [${typeof t.guard === 'string' ? t.guard : 'guard'}]` : '');

/** Makes the outside world produce a model event on the real actor. */
function perform(h: Harness, before: ModelState, event: ModelEvent) {
	switch (event.type) {
		case 'model.timer': {
			const timer = nextTimer(before);
			if (!timer) throw new Error('no timer to fire');
			h.clock.advance(timer.due - h.clock.now());
			return;
		}
		case 'model.sleep':
			return h.clock.sleep(event.ms);
		case 'socket.open':
			return h.sockets.latest.serverOpen();
		case 'socket.message':
			return h.sockets.latest.serverMessage(event.message as object);
		case 'socket.close':
			return h.sockets.latest.serverClose(event.code, event.reason, event.wasClean);
		case 'socket.error':
			return h.sockets.latest.error();
		default:
			h.actor.send(event);
	}
}

/** Everything observable about a run, as one string (cheap to compare at every step). */
function observe(
	value: unknown,
	context: ConnectionContext,
	wall: number,
	timers: number,
	sockets: number
) {
	return JSON.stringify({ value, context: displayContext(context), wall, timers, sockets });
}

/** The real actor matches the model state: state, context, clock, pending timers, live sockets. */
function expectMatches(h: Harness, model: ModelState, where: string) {
	const actual = observe(
		h.actor.getSnapshot().value,
		h.actor.getSnapshot().context,
		h.clock.wall(),
		h.clock.pendingCount(),
		h.sockets.liveCount()
	);
	const expected = observe(
		model.snapshot.value,
		model.snapshot.context,
		model.clock + model.skew,
		model.timers.length,
		model.snapshot.matches('session') ? 1 : 0
	);
	// One cheap comparison per step; a structured diff only when it fails.
	if (actual !== expected) expect(JSON.parse(actual), where).toEqual(JSON.parse(expected));
	matchedSteps++;
}

function runPath(path: ModelPath, index: number) {
	const h = startConnection({ url: MODEL_URL, config: MODEL_CONFIG, inspect: record });
	let model = initialModelSnapshot().context;
	expectMatches(h, model, `path ${index}, start`);
	path.steps.forEach((step, n) => {
		const where = `path ${index}, step ${n + 1}: ${JSON.stringify(step.event)}`;
		stepTransitions.length = 0;
		perform(h, model, step.event);
		model = stepModel(model, step.event);
		// The actor took exactly the transitions the model took (the same definition objects).
		const same =
			stepTransitions.length === model.taken.length &&
			stepTransitions.every((t, i) => t === model.taken[i]);
		if (!same) {
			expect(stepTransitions.map(describeTransition), where).toEqual(
				model.taken.map(describeTransition)
			);
		}
		// The path was planned on a representative of each model state; ours must be the same state.
		expect(modelStateKey(model), where).toBe(step.key);
		expectMatches(h, model, where);
	});
	h.actor.stop();
	expect(h.sockets.liveCount()).toBe(0);
	expect(h.clock.pendingCount()).toBe(0);
}

describe('connection machine, model-based', () => {
	const graph = buildModelGraph();
	const paths = edgeTour(graph);

	afterAll(() => {
		const lines = [
			`model: ${graph.shortest.size} model states, ${paths.length} paths, ` +
				`${paths.reduce((n, p) => n + p.steps.length, 0)} steps`,
			`transitions covered: ${allTransitions.filter((t) => coveredTransitions.has(t)).length}/${allTransitions.length}`,
			`states covered: ${stateNodes.filter((n) => coveredStates.has(n)).length}/${stateNodes.length}`
		];
		console.log(lines.join('\n'));
	});

	it('plans paths that reach every model state', () => {
		expect(paths.length).toBeGreaterThan(0);
		expect(graph.shortest.size).toBe(graph.edges.size);
		const visited = new Set(paths.flatMap((path) => path.steps.map((step) => step.key)));
		expect(visited.size + (visited.has(graph.initial) ? 0 : 1)).toBe(graph.edges.size);
	});

	// Thousands of steps: on a busy machine this takes well over vitest's default 5 s.
	it(
		'runs every path on the real machine with the predicted state and context at every step',
		{
			timeout: 120_000
		},
		() => {
			paths.forEach(runPath);
			expect(matchedSteps).toBe(paths.reduce((n, p) => n + p.steps.length + 1, 0));
		}
	);

	it('exercises every transition of the machine definition', () => {
		const missing = allTransitions.filter((t) => !coveredTransitions.has(t));
		expect(missing.map(describeTransition)).toEqual([]);
	});

	it('enters every state node of the machine definition', () => {
		const missing = stateNodes.filter((node) => !coveredStates.has(node)).map((node) => node.id);
		expect(missing).toEqual([]);
	});
});
