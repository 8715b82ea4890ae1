import { expect, test } from '@playwright/test';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { countStateNodes, countTransitions } from '../../src/lib/inspector/graph';
import { inspectedMachine } from './inspector-support';

const machine: AnyStateMachine = inspectedMachine;

/** Every state node id of the definition, walking `machine.root`. */
function stateNodeIds(node: AnyStateNode = machine.root): string[] {
	return [node.id, ...Object.values(node.states).flatMap((child) => stateNodeIds(child))];
}

test.beforeEach(async ({ page }) => {
	await page.goto('/dev/inspector');
	await expect(page.getByTestId('statechart-view')).toHaveAttribute('data-ready', 'true');
});

test('the diagram has one node per state node and one edge per transition of the machine', async ({
	page
}) => {
	await expect(page.getByTestId('statechart-node')).toHaveCount(countStateNodes(machine));
	await expect(page.getByTestId('statechart-edge')).toHaveCount(countTransitions(machine));
	const drawn = await page
		.getByTestId('statechart-node')
		.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-state-id')));
	expect(drawn.sort()).toEqual(stateNodeIds().sort());
});

test('every drawn node has a visible box and every edge a label, with an arrow when it leaves its state', async ({
	page
}) => {
	const boxes = await page
		.getByTestId('statechart-node')
		.evaluateAll((nodes) =>
			nodes.map((n) => n.querySelector('rect')?.getBBox()).map((b) => (b ? b.width * b.height : 0))
		);
	expect(boxes.every((area) => area > 0)).toBe(true);
	const edges = await page.getByTestId('statechart-edge').evaluateAll((edges) =>
		edges.map((e) => ({
			id: e.getAttribute('data-edge-id'),
			staysOnSource: (e.getAttribute('data-targets') ?? '')
				.split(' ')
				.every((target) => target === e.getAttribute('data-source')),
			paths: e.querySelectorAll('path').length,
			label: e.querySelector('text')?.textContent?.trim() ?? ''
		}))
	);
	for (const edge of edges) {
		expect(edge.label, edge.id ?? '').not.toBe('');
		expect(edge.paths > 0, edge.id ?? '').toBe(!edge.staysOnSource);
	}
});

test('the panel opens and closes with its button, with Shift+I, and with Escape', async ({
	page
}) => {
	const toggle = page.getByTestId('inspector-toggle');
	const panel = page.getByTestId('inspector-panel');
	await expect(panel).toBeVisible();
	await toggle.click();
	await expect(panel).toBeHidden();
	await expect(toggle).toHaveAttribute('aria-expanded', 'false');
	await page.keyboard.press('Shift+I');
	await expect(panel).toBeVisible();
	await expect(toggle).toHaveAttribute('aria-expanded', 'true');
	await expect(panel.getByRole('heading', { level: 2 })).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(panel).toBeHidden();
	await expect(toggle).toBeFocused();
});

test('Copy machine JSON puts the machine config on the clipboard and says so', async ({
	page,
	context
}) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await page.getByTestId('inspector-copy-json').click();
	await expect(page.getByTestId('inspector-copy-status')).toHaveAttribute('data-state', 'copied');
	await expect(page.getByTestId('inspector-copy-status')).toContainText('Copied');
	const copied = await page.evaluate(() => navigator.clipboard.readText());
	const parsed = JSON.parse(copied) as { id: string; states: Record<string, unknown> };
	expect(parsed.id).toBe(machine.id);
	expect(Object.keys(parsed.states)).toEqual(Object.keys(machine.root.states));
});
