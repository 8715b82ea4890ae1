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
	await expect(page.getByTestId('statechart-view')).toHaveAttribute('data-ready', 'true', {
		timeout: 30_000
	});
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

test('the panel is a modal dialog: it opens with its button and Shift+I, takes the focus, and gives it back on close', async ({
	page
}) => {
	const toggle = page.getByTestId('inspector-toggle');
	const panel = page.getByTestId('inspector-panel');
	const heading = panel.getByRole('heading', { level: 2 });
	await expect(page.getByRole('dialog', { name: /Connection inspector/ })).toBeVisible();
	await page.getByTestId('inspector-close').click();
	await expect(panel).toBeHidden();
	await expect(toggle).toBeFocused(); // it opened with the page: nothing else to go back to

	await toggle.press('Enter');
	await expect(panel).toBeVisible();
	await expect(heading).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(panel).toBeHidden();
	await expect(toggle).toBeFocused();

	await page.keyboard.press('Shift+I');
	await expect(panel).toBeVisible();
	await expect(heading).toBeFocused();
	// Tab stays inside, round and round: the page under the dialog is inert.
	for (const key of [...Array<string>(16).fill('Tab'), ...Array<string>(16).fill('Shift+Tab')]) {
		await page.keyboard.press(key);
		expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(
			true
		);
	}
	await page.keyboard.press('Shift+I');
	await expect(panel).toBeHidden();
	await expect(toggle).toBeFocused();

	// Escape closes the dialog at once, but its close event comes in a task of its own: on a busy
	// page the next Shift+I can come first, and must still open the dialog.
	await page.keyboard.press('Shift+I');
	await expect(panel).toBeVisible();
	await panel.evaluate((dialog: HTMLDialogElement) => {
		dialog.close(); // what Escape does
		window.dispatchEvent(new KeyboardEvent('keydown', { key: 'I', shiftKey: true }));
	});
	await expect(panel).toBeVisible();
	await expect(heading).toBeFocused();
});

test('the diagram scrolls with the arrow keys and its fitted view never draws text under 10 px', async ({
	page
}) => {
	await page.setViewportSize({ width: 390, height: 844 });
	const scroller = page.getByTestId('statechart-scroller');
	await expect(scroller).toHaveAccessibleName(/Statechart diagram/);
	const fit = page.getByRole('button', { name: 'Fit to width' });
	await expect(fit).toHaveAttribute('aria-pressed', 'true');

	/** The on-screen size of the diagram's smallest text, in CSS px. */
	const smallestText = () =>
		scroller.evaluate((element) => {
			const svg = element.querySelector('svg');
			const scale = svg?.getScreenCTM()?.a ?? 0;
			const sizes = [...element.querySelectorAll('text')].map(
				(text) => Number(text.getAttribute('font-size')) * scale
			);
			return Math.min(...sizes);
		});
	expect(await smallestText()).toBeGreaterThanOrEqual(10);
	const overflow = await scroller.evaluate((element) => element.scrollWidth - element.clientWidth);
	expect(overflow, 'on a phone the fitted diagram is wider than the panel').toBeGreaterThan(0);

	await scroller.focus();
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('ArrowDown');
	await expect.poll(() => scroller.evaluate((element) => element.scrollLeft)).toBeGreaterThan(0);
	await expect.poll(() => scroller.evaluate((element) => element.scrollTop)).toBeGreaterThan(0);

	await fit.click();
	await expect(fit).toHaveAttribute('aria-pressed', 'false');
	expect(await smallestText()).toBeGreaterThanOrEqual(10);
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
