/**
 * Test paths for the browser-level model-based suite. The model is the unit suite's (the real
 * machine stepped by xstate's `transition()`, explored by xstate/graph's `getAdjacencyMap`), with
 * the page's own config and only the events a test can produce from outside a real page: its
 * buttons, the browser's network and visibility, fake time, and the server and the network
 * between (freeze, restart, replace, reset, refuse). For every transition of the machine
 * definition, the shortest such path that takes it is planned; paths that are a prefix of
 * another are dropped.
 */
import type { AnyTransitionDefinition } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import { connectionMachine, connectionStateName } from '../../../machines/connection';
import { DEFAULT_CONFIG } from '../../../machines/config';
import {
	messageType,
	modelEvents,
	serializeModelEvent,
	stepModel,
	initialModelSnapshot,
	type ModelEvent,
	type ModelSnapshot,
	type ModelState
} from '../../model/connection-model';
import { buildModelGraph, type ModelStep } from '../../model/model-paths';

/** The page's config: the spec's defaults, jitter off so the model can predict every delay. */
export const BROWSER_CONFIG = { ...DEFAULT_CONFIG, jitter: 0 };

/** Every transition of the machine definition (the same list the unit model suite covers). */
export const allTransitions: AnyTransitionDefinition[] = [
	connectionMachine.root,
	...getStateNodes(connectionMachine.root)
].flatMap((node) => [...node.transitions.values()].flat().concat(node.always ?? []));

export const describeTransition = (t: AnyTransitionDefinition) =>
	`${t.source.id} --${t.eventType}--> ${t.target?.map((n) => n.id).join(',') ?? '(self)'}` +
	(t.guard ? ` [${typeof t.guard === 'string' ? t.guard : 'guard'}]` : '');

const isClose = (event: ModelEvent, code: number) =>
	event.type === 'socket.close' && event.code === code;

/** A server restart (SIGTERM) closes every socket with 1012. */
const RESTART_CLOSE: ModelEvent = {
	type: 'socket.close',
	code: 1012,
	reason: 'service restart',
	wasClean: true
};

/**
 * The events a test can produce from outside the page in a model state:
 * - connecting: the handshake completes (server running), fails (proxy refuses, or the browser
 *   is offline: the browser reports `error`), or hangs (server frozen) until the connect timeout
 *   or a user event;
 * - open before `connected`: the server's greeting, which follows the open at once, or a close
 *   with 4400 when the page was opened with an invalid client id (stands for every permanent code);
 * - open/stale: the server speaks (thawed briefly), replaces the socket (1000), restarts (1012),
 *   the link is reset (the browser reports `error`); the user sends a message;
 * - everything the user, the browser's network and visibility, and fake time can do.
 */
export function browserEvents(snapshot: ModelSnapshot): ModelEvent[] {
	const state = snapshot.context;
	const name = connectionStateName(state.snapshot);
	const confirmed = state.snapshot.context.clientId !== null;
	const events = modelEvents(snapshot);
	// An offline browser fails every handshake at once.
	if (name === 'connecting' && !state.snapshot.context.online) {
		return events.filter((event) => event.type === 'socket.error');
	}
	if (name === 'connecting') {
		return events.filter((event) => event.type !== 'socket.close');
	}
	if (name === 'open' && !confirmed) {
		return events.filter(
			(event) =>
				(event.type === 'socket.message' && messageType(event.message) === 'connected') ||
				isClose(event, 1008)
		);
	}
	if (name === 'open' || name === 'stale') {
		const produced = events.filter((event) => {
			if (event.type === 'socket.message') return messageType(event.message) === 'ping';
			if (event.type === 'socket.close') return isClose(event, 1000);
			return true;
		});
		return [...produced, RESTART_CLOSE];
	}
	return events;
}

export type BrowserPath = { steps: ModelStep[]; targets: AnyTransitionDefinition[] };

/** The model states along a path (the state before each step, and the last one). */
export function modelStates(path: BrowserPath): ModelState[] {
	let state = initialModelSnapshot(BROWSER_CONFIG).context;
	const states = [state];
	for (const step of path.steps) {
		state = stepModel(state, step.event);
		states.push(state);
	}
	return states;
}

/** A path with an invalid client id must answer every open with the permanent close. */
function consistent(steps: ModelStep[]): boolean {
	const permanent = steps.some((step) => isClose(step.event, 1008));
	if (!permanent) return true;
	return steps.every(
		(step, i) =>
			step.event.type !== 'socket.open' || isClose(steps[i + 1]?.event ?? step.event, 1008)
	);
}

/** Plans the browser paths: the shortest path taking each transition, prefixes dropped. */
export function planBrowserPaths(): {
	paths: BrowserPath[];
	unreachable: AnyTransitionDefinition[];
} {
	const graph = buildModelGraph(BROWSER_CONFIG, browserEvents);
	// Every edge with the transitions it takes, from the states in order of distance.
	const byDistance = [...graph.shortest.entries()].sort((a, b) => a[1].length - b[1].length);
	const planned = new Map<AnyTransitionDefinition, ModelStep[]>();
	for (const [key, route] of byDistance) {
		for (const edge of graph.edges.get(key) ?? []) {
			const steps = [...route, { event: edge.event, key: edge.key }];
			if (!consistent(steps)) continue;
			for (const transition of edge.taken) {
				const known = planned.get(transition);
				if (!known || known.length > steps.length) planned.set(transition, steps);
			}
		}
	}
	const unreachable = allTransitions.filter((t) => !planned.has(t));
	const candidates = [...planned.entries()].map(([target, steps]) => ({ target, steps }));
	const keyOf = (steps: ModelStep[]) => steps.map((s) => serializeModelEvent(s.event)).join('|');
	const paths: BrowserPath[] = [];
	for (const candidate of candidates.sort((a, b) => b.steps.length - a.steps.length)) {
		const key = keyOf(candidate.steps);
		const longer = paths.find((path) => keyOf(path.steps).startsWith(key));
		if (longer) longer.targets.push(candidate.target);
		else paths.push({ steps: candidate.steps, targets: [candidate.target] });
	}
	return { paths, unreachable };
}

/** Why a transition cannot be produced from outside a real page, for the coverage report. */
export function whyNotProducible(transition: AnyTransitionDefinition): string {
	const guard = typeof transition.guard === 'string' ? transition.guard : '';
	if (guard === 'confirmsStableConnection') {
		return 'the server greets every connection at once; a greeting stableAfter after the open cannot be produced from outside';
	}
	if (transition.eventType === 'socket.message' && !guard) {
		return 'in stale the server is thawed to speak, and its overdue ping goes out before it reads the probe, so its first words are always a ping';
	}
	return 'no path of events producible from outside a real page reaches it';
}

/**
 * Whether an event follows the one before it by itself, with no time for the page to be looked
 * at in between: the handshake and the greeting of a running server, the 4400 answer to an
 * invalid id, a refused handshake.
 */
export function followsAtOnce(event: ModelEvent | undefined, before: ModelState): boolean {
	if (!event) return false;
	const name = connectionStateName(before.snapshot);
	if (event.type === 'socket.open') return true;
	if (event.type === 'socket.error') return name === 'connecting';
	if (name === 'open' && before.snapshot.context.clientId === null) return true;
	return false;
}
