/**
 * Test paths over the connection model. xstate/graph's `getAdjacencyMap` explores the model
 * (every model state and, for each, every event the outside world can produce there); the paths
 * then form a tour that takes every edge of that map at least once: from the initial state, take
 * an unused edge while there is one, else walk the shortest route to the nearest state that has
 * one, and start a fresh path only when that is cheaper than walking.
 */
import type { AnyTransitionDefinition } from 'xstate';
import { getAdjacencyMap } from 'xstate/graph';
import type { ConnectionConfig } from '../../machines/connection';
import {
	initialModelSnapshot,
	modelLogic,
	MODEL_CONFIG,
	modelEvents,
	serializeModelEvent,
	serializeModelState,
	type ModelEvent,
	type ModelSnapshot
} from './connection-model';

/** One step of a path: the event, and the key of the model state it leads to. */
export type ModelStep = { event: ModelEvent; key: string };
export type ModelPath = { steps: ModelStep[] };
/** An edge of the graph, with the machine transitions its step takes. */
export type Edge = ModelStep & { eventKey: string; taken: AnyTransitionDefinition[] };

export type ModelGraph = {
	/** Outgoing edges of every model state, by serialized state. */
	edges: Map<string, Edge[]>;
	/** Shortest path from the initial state to every model state. */
	shortest: Map<string, ModelStep[]>;
	initial: string;
};

/**
 * Explores the model with xstate/graph and finds the shortest path to every model state. By
 * default: the model's small config and every event the outside world can produce; the browser
 * suite passes the page's config and the events it can produce through a real page.
 */
export function buildModelGraph(
	config: ConnectionConfig = MODEL_CONFIG,
	events: (snapshot: ModelSnapshot) => ModelEvent[] = modelEvents
): ModelGraph {
	const fromState = initialModelSnapshot(config);
	const adjacency = getAdjacencyMap(modelLogic(config), {
		fromState,
		events,
		serializeState: serializeModelState,
		serializeEvent: serializeModelEvent
	});
	const edges = new Map<string, Edge[]>();
	for (const [key, { transitions }] of Object.entries(adjacency)) {
		const out = Object.entries(transitions).map(([eventKey, next]) => {
			const { event, state } = next as { event: ModelEvent; state: ModelSnapshot };
			return { eventKey, event, key: serializeModelState(state), taken: state.context.taken };
		});
		edges.set(key, out);
	}
	const initial = serializeModelState(fromState);
	return { edges, shortest: shortestRoutes(initial, edges, () => false).all, initial };
}

/**
 * Breadth-first search from `from`: the shortest route to every reachable state, and the
 * route to the first state (in BFS order) for which `wanted` holds.
 */
function shortestRoutes(
	from: string,
	edges: Map<string, Edge[]>,
	wanted: (key: string) => boolean
) {
	const all = new Map<string, ModelStep[]>([[from, []]]);
	for (const [key, route] of all) {
		if (wanted(key)) return { all, found: route };
		for (const edge of edges.get(key) ?? []) {
			if (!all.has(edge.key)) all.set(edge.key, [...route, { event: edge.event, key: edge.key }]);
		}
	}
	return { all, found: null };
}

/** A fixed price for starting a fresh actor, in steps. */
const RESTART_COST = 5;

/** Paths that together take every edge of the graph (and so reach every state). */
export function edgeTour({ edges, shortest, initial }: ModelGraph): ModelPath[] {
	const unused = new Map([...edges].map(([key, out]) => [key, [...out]]));
	const hasUnused = (key: string) => (unused.get(key)?.length ?? 0) > 0;
	const byDistance = [...shortest.keys()].sort(
		(a, b) => (shortest.get(a)?.length ?? 0) - (shortest.get(b)?.length ?? 0)
	);
	const paths: ModelPath[] = [];
	for (let start = initial as string | undefined; start; start = byDistance.find(hasUnused)) {
		const steps: ModelStep[] = [...(shortest.get(start) ?? [])];
		let current = start;
		for (;;) {
			const route = shortestRoutes(current, edges, hasUnused).found;
			const target = route?.at(-1)?.key ?? current;
			if (!route || route.length > (shortest.get(target)?.length ?? 0) + RESTART_COST) break;
			steps.push(...route);
			const edge = unused.get(target)?.shift();
			if (!edge) break;
			steps.push({ event: edge.event, key: edge.key });
			current = edge.key;
		}
		paths.push({ steps });
	}
	return paths;
}
