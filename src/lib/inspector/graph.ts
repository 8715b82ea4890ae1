/**
 * The statechart as drawable data, derived from the machine definition itself so the picture can
 * never drift from the code: one node per state node (the root included, compound nodes listing
 * their children) and one edge per transition of the definition (events, after-delays, eventless
 * `always`, invoke done/error), labelled with the event and the guard's name.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition, StateValue } from 'xstate';
import { toDirectedGraph } from 'xstate/graph';
import type { DirectedGraphNode } from 'xstate/graph';

export type ChartEdgeKind = 'event' | 'after' | 'always' | 'done' | 'error';

export interface ChartNode {
	/** The state node's full id (`machine.state.child`, or its custom `id`). */
	id: string;
	key: string;
	parentId: string | null;
	type: AnyStateNode['type'];
	depth: number;
	childIds: string[];
	/** Whether this node is its parent's initial state. */
	initial: boolean;
}

export interface ChartEdge {
	/** `sourceId:eventType:index` where index counts transitions of that event in the source. */
	id: string;
	sourceId: string;
	/** Targets of the transition; the source itself for a targetless (actions-only) transition. */
	targetIds: string[];
	/** The event descriptor as xstate knows it (`''` for eventless transitions). */
	eventType: string;
	kind: ChartEdgeKind;
	/** Human label: event, delay or `always`, then the guard in brackets. */
	label: string;
	/** The label's first part: the event, delay or `always`, without the guard. */
	head: string;
	guard: string | null;
	/** True when the transition has no target and only runs actions. */
	targetless: boolean;
	/**
	 * True when the transition stays on its source (actions-only, or re-entering itself): drawn
	 * inside the state's box, as statecharts draw internal transitions, not as a loop around it.
	 */
	selfLoop: boolean;
}

export interface ChartGraph {
	rootId: string;
	nodes: ChartNode[];
	edges: ChartEdge[];
	/** The edge drawn for a transition definition (identity first, then id), if any. */
	edgeIdOf(transition: AnyTransitionDefinition): string | undefined;
}

/** Builds the drawable graph of `machine` from `toDirectedGraph` plus the eventless transitions it omits. */
export function machineGraph(machine: AnyStateMachine): ChartGraph {
	const nodes: ChartNode[] = [];
	const edges: ChartEdge[] = [];
	const byTransition = new Map<AnyTransitionDefinition, string>();

	const visit = (graphNode: DirectedGraphNode, depth: number): void => {
		const stateNode = graphNode.stateNode;
		const parent = stateNode.parent;
		nodes.push({
			id: stateNode.id,
			key: stateNode.key,
			parentId: parent ? parent.id : null,
			type: stateNode.type,
			depth,
			childIds: graphNode.children.map((child) => child.id),
			initial: !!parent?.initial?.target.includes(stateNode)
		});
		// toDirectedGraph emits one edge per target; the picture needs one per transition.
		const seen = new Set<AnyTransitionDefinition>();
		const transitions = graphNode.edges
			.map((edge) => edge.transition)
			.filter((t) => !seen.has(t) && !!seen.add(t));
		for (const transition of [...transitions, ...(stateNode.always ?? [])]) {
			const edge = toChartEdge(stateNode, transition);
			edges.push(edge);
			byTransition.set(transition, edge.id);
		}
		graphNode.children.forEach((child) => visit(child, depth + 1));
	};
	visit(toDirectedGraph(machine), 0);

	const ids = new Set(edges.map((edge) => edge.id));
	return {
		rootId: machine.root.id,
		nodes,
		edges,
		edgeIdOf(transition) {
			const known = byTransition.get(transition);
			if (known) return known;
			const id = transitionId(transition.source, transition);
			return ids.has(id) ? id : undefined;
		}
	};
}

function toChartEdge(source: AnyStateNode, transition: AnyTransitionDefinition): ChartEdge {
	const kind = edgeKind(transition);
	const guard = guardName(transition.guard);
	const head = kind === 'always' ? 'always' : eventLabel(transition, kind);
	const targets = transition.target ?? [];
	return {
		id: transitionId(source, transition),
		sourceId: source.id,
		targetIds: targets.length > 0 ? targets.map((t) => t.id) : [source.id],
		eventType: transition.eventType,
		kind,
		label: guard ? `${head} [${guard}]` : head,
		head,
		guard,
		targetless: targets.length === 0,
		selfLoop: targets.every((target) => target === source)
	};
}

/** A transition's stable id: its position among the source's transitions for the same event. */
function transitionId(source: AnyStateNode, transition: AnyTransitionDefinition): string {
	const siblings =
		transition.eventType === ''
			? (source.always ?? [])
			: (source.transitions.get(transition.eventType) ?? []);
	return `${source.id}:${transition.eventType}:${Math.max(0, siblings.indexOf(transition))}`;
}

function edgeKind(transition: AnyTransitionDefinition): ChartEdgeKind {
	const type = transition.eventType;
	if (type === '') return 'always';
	if ('delay' in transition && type.startsWith('xstate.after.')) return 'after';
	if (type.startsWith('xstate.done.')) return 'done';
	if (type.startsWith('xstate.error.')) return 'error';
	return 'event';
}

function eventLabel(transition: AnyTransitionDefinition, kind: ChartEdgeKind): string {
	if (kind === 'after' && 'delay' in transition) {
		const delay: unknown = transition.delay;
		if (typeof delay === 'number') return `after ${delay} ms`;
		if (typeof delay === 'string') return `after ${delay}`;
		return 'after (computed delay)';
	}
	if (kind === 'done') return `done: ${lastSegment(transition.eventType, 'xstate.done.')}`;
	if (kind === 'error') return `error: ${lastSegment(transition.eventType, 'xstate.error.')}`;
	return transition.eventType;
}

function lastSegment(eventType: string, prefix: string): string {
	return eventType.slice(prefix.length).replace(/^(actor|state)\./, '');
}

/** A guard's name as written in `setup({ guards })`, with `not`/`and`/`or` spelled out. */
export function guardName(guard: unknown): string | null {
	if (guard === undefined || guard === null) return null;
	if (typeof guard === 'string') return guard;
	if (typeof guard === 'function') {
		const inner: unknown = (guard as { guards?: unknown }).guards;
		if (Array.isArray(inner)) return `${guard.name}(${inner.map(guardName).join(', ')})`;
		return guard.name || 'inline guard';
	}
	if (typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') {
		return (guard as { type: string }).type;
	}
	return 'guard';
}

/** Whether a transition goes somewhere else than its own source (not actions-only, not a self loop). */
export function leavesSource(transition: AnyTransitionDefinition): boolean {
	return (transition.target ?? []).some((target) => target !== transition.source);
}

/** Ids of every active state node for a state value: the root, each active parent and leaf. */
export function activeStateIds(machine: AnyStateMachine, value: StateValue): string[] {
	const ids = [machine.root.id];
	const walk = (node: AnyStateNode, v: StateValue): void => {
		const entries: Array<[string, StateValue | undefined]> =
			typeof v === 'string' ? [[v, undefined]] : Object.entries(v);
		for (const [key, childValue] of entries) {
			const child = node.states[key];
			if (!child) continue;
			ids.push(child.id);
			if (childValue !== undefined) walk(child, childValue);
		}
	};
	walk(machine.root, value);
	return ids;
}

/** Number of state nodes of `machine`, the root included, counted straight from `machine.root`. */
export function countStateNodes(machine: AnyStateMachine): number {
	const count = (node: AnyStateNode): number =>
		1 + Object.values(node.states).reduce((sum, child) => sum + count(child), 0);
	return count(machine.root);
}

/**
 * Number of transitions in `machine`'s definition, counted straight from each state node's
 * `transitions` map (events, after-delays, invoke done/error) plus its eventless `always` list.
 */
export function countTransitions(machine: AnyStateMachine): number {
	const count = (node: AnyStateNode): number => {
		let own = (node.always ?? []).length;
		for (const list of node.transitions.values()) own += list.length;
		return own + Object.values(node.states).reduce((sum, child) => sum + count(child), 0);
	};
	return count(machine.root);
}
