/**
 * Lays a {@link ChartGraph} out with elkjs (layered algorithm, one hierarchical run over compound
 * nodes) and returns absolute positions ready for SVG: a box per state node, a polyline per edge
 * target and a box for each edge label. ELK gives coordinates relative to parents and containers;
 * everything here is converted to the diagram's own coordinate space once.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode, ElkPoint } from 'elkjs/lib/elk.bundled.js';
import type { ChartGraph, ChartNode } from './graph';

export interface Box {
	x: number;
	y: number;
	width: number;
	height: number;
}

export interface EdgeRoute {
	/** One SVG path (`M … L …`) per target of the transition. */
	paths: string[];
	/** Where the label sits, or null when ELK placed none. */
	label: Box | null;
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
/** Space above a compound node's children where its title is written. */
const TITLE_BAND = 26;
const GRAPH_ID = '__chart';

const estimateText = (text: string, fontSize: number): number => text.length * fontSize * 0.6;

/** Computes positions for every node and edge of `graph`; rejects only if ELK itself fails. */
export async function layoutChart(
	graph: ChartGraph,
	options: LayoutOptions = {}
): Promise<ChartLayout> {
	const measure = options.measureText ?? estimateText;
	const elkGraph = toElkGraph(graph, measure, options.direction ?? 'DOWN');
	const laid = await new ELK().layout(elkGraph);
	return fromElk(graph, laid);
}

function toElkGraph(
	graph: ChartGraph,
	measure: (text: string, fontSize: number) => number,
	direction: string
): ElkNode {
	const byId = new Map(graph.nodes.map((node) => [node.id, node]));
	const toElkNode = (node: ChartNode): ElkNode => {
		const titleWidth = measure(node.key || node.id, CHART_FONT.node) + 28;
		if (node.childIds.length === 0) {
			return { id: node.id, width: Math.max(72, titleWidth), height: 34 };
		}
		return {
			id: node.id,
			layoutOptions: {
				'elk.padding': `[top=${TITLE_BAND + 12},left=14,bottom=14,right=14]`,
				'elk.nodeSize.constraints': 'MINIMUM_SIZE',
				'elk.nodeSize.minimum': `(${titleWidth}, ${TITLE_BAND + 20})`
			},
			children: node.childIds.flatMap((id) => {
				const child = byId.get(id);
				return child ? [toElkNode(child)] : [];
			})
		};
	};
	const root = byId.get(graph.rootId);
	const edges: ElkExtendedEdge[] = graph.edges.flatMap((edge) =>
		edge.targetIds.map((target, index) => ({
			id: `${edge.id}#${index}`,
			sources: [edge.sourceId],
			targets: [target],
			// One label per transition, on its first target's path.
			labels:
				index === 0
					? [
							{
								id: `${edge.id}#label`,
								text: edge.label,
								width: measure(edge.label, CHART_FONT.edge) + 8,
								height: CHART_FONT.edge + 6
							}
						]
					: []
		}))
	);
	return {
		id: GRAPH_ID,
		layoutOptions: {
			'elk.algorithm': 'layered',
			'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
			'elk.direction': direction,
			'elk.edgeLabels.placement': 'CENTER',
			'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
			'elk.spacing.nodeNode': '28',
			'elk.layered.spacing.nodeNodeBetweenLayers': '36',
			'elk.spacing.edgeLabel': '4',
			'elk.padding': '[top=8,left=8,bottom=8,right=8]'
		},
		children: root ? [toElkNode(root)] : [],
		edges
	};
}

function fromElk(graph: ChartGraph, laid: ElkNode): ChartLayout {
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
	for (const edge of graph.edges) edges[edge.id] = { paths: [], label: null };
	for (const elkEdge of (laid.edges ?? []) as ElkExtendedEdge[]) {
		const chartId = elkEdge.id.slice(0, elkEdge.id.lastIndexOf('#'));
		const route = edges[chartId];
		if (!route) continue;
		// ELK reports each edge's coordinates relative to the node that contains it.
		const container = elkEdge.container ?? GRAPH_ID;
		const offset = origin.get(container) ?? { x: 0, y: 0 };
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
