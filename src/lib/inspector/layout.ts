/**
 * Lays a {@link ChartGraph} out with elkjs (layered algorithm, one hierarchical run over compound
 * nodes) and returns absolute positions ready for SVG: a box per state node, a polyline per edge
 * target and a box for each edge label. Transitions that stay on their state (actions-only, or
 * re-entering it) are not routed: they are listed inside the state's box, under its name, which
 * keeps loops from wrapping around whole compound states. ELK gives coordinates relative to
 * parents and containers; everything here is converted to the diagram's own space once.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode, ElkPoint } from 'elkjs/lib/elk.bundled.js';
import type { ChartEdge, ChartGraph, ChartNode } from './graph';

export interface Box {
	x: number;
	y: number;
	width: number;
	height: number;
}

export interface EdgeRoute {
	/** One SVG path (`M … L …`) per target; empty for a transition listed inside its state. */
	paths: string[];
	/** Where the label sits: beside the path, or its row inside the state's box. */
	label: Box | null;
	/** The label's lines: the event, then the guard in brackets if there is one. */
	lines: string[];
	/** True when the transition is listed inside its state instead of drawn as an arrow. */
	inside: boolean;
}

export interface ChartLayout {
	width: number;
	height: number;
	nodes: Record<string, Box>;
	edges: Record<string, EdgeRoute>;
}

export interface LayoutOptions {
	/** Width of a text at the chart's font size; the default assumes about 0.6em per character. */
	measureText?: (text: string, fontSize: number) => number;
	direction?: 'DOWN' | 'RIGHT';
}

/** Font sizes the view renders with; the layout reserves room for them. */
export const CHART_FONT = { node: 13, edge: 11 } as const;
/** The smallest text the chart may show on screen (CSS px); a fitted view scrolls rather than go below. */
export const MIN_SCREEN_FONT = 10;

/** The narrowest a chart `layoutWidth` wide may be drawn with its smallest text still MIN_SCREEN_FONT. */
export function minimumChartWidth(layoutWidth: number): number {
	const smallest = Math.min(CHART_FONT.node, CHART_FONT.edge);
	return Math.ceil((layoutWidth * MIN_SCREEN_FONT) / smallest);
}
/** Height of the band holding a state's name. */
export const TITLE_HEIGHT = 30;
/** Height of one row listing a transition inside a state. */
export const ROW_HEIGHT = 15;
const LINE_HEIGHT = CHART_FONT.edge + 3;
const GRAPH_ID = '__chart';

type Measure = (text: string, fontSize: number) => number;
const estimateText: Measure = (text, fontSize) => text.length * fontSize * 0.6;

/** Computes positions for every node and edge of `graph`; rejects only if ELK itself fails. */
export async function layoutChart(
	graph: ChartGraph,
	options: LayoutOptions = {}
): Promise<ChartLayout> {
	const measure = options.measureText ?? estimateText;
	const inside = insideEdgesBySource(graph);
	const elkGraph = toElkGraph(graph, inside, measure, options.direction ?? 'DOWN');
	const laid = await new ELK().layout(elkGraph);
	return fromElk(graph, inside, laid);
}

function insideEdgesBySource(graph: ChartGraph): Map<string, ChartEdge[]> {
	const bySource = new Map<string, ChartEdge[]>();
	for (const edge of graph.edges.filter((e) => e.selfLoop)) {
		bySource.set(edge.sourceId, [...(bySource.get(edge.sourceId) ?? []), edge]);
	}
	return bySource;
}

const linesOf = (edge: ChartEdge): string[] =>
	edge.guard ? [edge.head, `[${edge.guard}]`] : [edge.head];

/** `↻` marks a transition that re-enters its state (restarting its timers); plain rows only act. */
export const insideText = (edge: ChartEdge): string =>
	`${edge.targetless ? '' : '↻ '}${edge.label}`;

function toElkGraph(
	graph: ChartGraph,
	inside: Map<string, ChartEdge[]>,
	measure: Measure,
	direction: string
): ElkNode {
	const byId = new Map(graph.nodes.map((node) => [node.id, node]));
	const toElkNode = (node: ChartNode): ElkNode => {
		const rows = inside.get(node.id) ?? [];
		const width = Math.max(
			72,
			measure(node.key || node.id, CHART_FONT.node) + 28,
			...rows.map((edge) => measure(insideText(edge), CHART_FONT.edge) + 20)
		);
		const top = TITLE_HEIGHT + rows.length * ROW_HEIGHT;
		if (node.childIds.length === 0) {
			return { id: node.id, width, height: top + (rows.length ? 6 : 4) };
		}
		return {
			id: node.id,
			layoutOptions: {
				'elk.padding': `[top=${top + 12},left=14,bottom=14,right=14]`,
				'elk.nodeSize.constraints': 'MINIMUM_SIZE',
				'elk.nodeSize.minimum': `(${width}, ${top + 20})`
			},
			children: node.childIds.flatMap((id) => {
				const child = byId.get(id);
				return child ? [toElkNode(child)] : [];
			})
		};
	};
	const root = byId.get(graph.rootId);
	const edges: ElkExtendedEdge[] = graph.edges
		.filter((edge) => !edge.selfLoop)
		.flatMap((edge) => {
			const lines = linesOf(edge);
			const label = {
				id: `${edge.id}#label`,
				text: edge.label,
				width: Math.max(...lines.map((line) => measure(line, CHART_FONT.edge))) + 8,
				height: lines.length * LINE_HEIGHT + 4
			};
			// One label per transition, on its first target's path.
			return edge.targetIds.map((target, index) => ({
				id: `${edge.id}#${index}`,
				sources: [edge.sourceId],
				targets: [target],
				labels: index === 0 ? [label] : []
			}));
		});
	return {
		id: GRAPH_ID,
		layoutOptions: {
			'elk.algorithm': 'layered',
			'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
			'elk.direction': direction,
			'elk.edgeLabels.placement': 'CENTER',
			'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
			'elk.spacing.nodeNode': '24',
			'elk.layered.spacing.nodeNodeBetweenLayers': '32',
			'elk.spacing.edgeLabel': '3',
			'elk.padding': '[top=8,left=8,bottom=8,right=8]'
		},
		children: root ? [toElkNode(root)] : [],
		edges
	};
}

function fromElk(graph: ChartGraph, inside: Map<string, ChartEdge[]>, laid: ElkNode): ChartLayout {
	const nodes: Record<string, Box> = {};
	const origin = new Map<string, ElkPoint>([[GRAPH_ID, { x: 0, y: 0 }]]);
	const place = (node: ElkNode, parent: ElkPoint): void => {
		const at = { x: parent.x + (node.x ?? 0), y: parent.y + (node.y ?? 0) };
		origin.set(node.id, at);
		nodes[node.id] = { ...at, width: node.width ?? 0, height: node.height ?? 0 };
		node.children?.forEach((child) => place(child, at));
	};
	laid.children?.forEach((child) => place(child, { x: 0, y: 0 }));

	const edges: Record<string, EdgeRoute> = {};
	for (const edge of graph.edges) {
		edges[edge.id] = { paths: [], label: null, lines: linesOf(edge), inside: edge.selfLoop };
	}
	for (const [sourceId, rows] of inside) {
		const box = nodes[sourceId];
		if (!box) continue;
		rows.forEach((edge, i) => {
			const y = box.y + TITLE_HEIGHT - 6 + i * ROW_HEIGHT;
			const label = { x: box.x + 8, y, width: box.width - 16, height: ROW_HEIGHT };
			edges[edge.id] = { paths: [], label, lines: [insideText(edge)], inside: true };
		});
	}
	for (const elkEdge of (laid.edges ?? []) as ElkExtendedEdge[]) {
		const route = edges[elkEdge.id.slice(0, elkEdge.id.lastIndexOf('#'))];
		if (!route) continue;
		// ELK reports each edge's coordinates relative to the node that contains it.
		const offset = origin.get(elkEdge.container ?? GRAPH_ID) ?? { x: 0, y: 0 };
		for (const section of elkEdge.sections ?? []) {
			const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
			route.paths.push(toPath(points, offset));
		}
		const label = elkEdge.labels?.[0];
		if (label) {
			route.label = {
				x: offset.x + (label.x ?? 0),
				y: offset.y + (label.y ?? 0),
				width: label.width ?? 0,
				height: label.height ?? 0
			};
		}
	}
	return { width: laid.width ?? 0, height: laid.height ?? 0, nodes, edges };
}

function toPath(points: ElkPoint[], offset: ElkPoint): string {
	return points
		.map((p, i) => `${i === 0 ? 'M' : 'L'} ${round(p.x + offset.x)} ${round(p.y + offset.y)}`)
		.join(' ');
}

const round = (n: number): number => Math.round(n * 10) / 10;
