/**
 * Accessibility checks shared by the browser tests: axe-core (WCAG 2.0, 2.1 and 2.2 A and AA,
 * plus axe's best practices) on the page at a desktop and a phone width, in the light and the dark
 * colour scheme; and what a keyboard user needs of the focused element.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect } from './page-support';

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** The widths every situation is checked at: a laptop and a phone (CSS pixels). */
export const VIEWPORTS = [
	{ width: 1280, height: 800 },
	{ width: 390, height: 844 }
] as const;
export const SCHEMES = ['light', 'dark'] as const;

/** One line per violation: rule, impact, what it asks, and the first few elements it found. */
function describeViolations(violations: AxeResults['violations']) {
	return violations.map((violation) => {
		const targets = violation.nodes.slice(0, 4).map((node) => node.target.join(' '));
		return `${violation.id} (${violation.impact}): ${violation.help} at ${targets.join(', ')}`;
	});
}

type AxeResults = Awaited<ReturnType<AxeBuilder['analyze']>>;

/**
 * axe on the page. axe hands each rule's result on with `setTimeout(…, 0)`, which a paused fake
 * clock never fires by itself: with `pausedClock`, the timers due now are fired until axe is done,
 * without moving the page's time on (so the state being checked cannot change meanwhile).
 */
async function analyze(page: Page, pausedClock: boolean): Promise<AxeResults> {
	const analysis = new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
	if (!pausedClock) return analysis;
	let done = false;
	const settled = analysis.finally(() => (done = true));
	while (!done) {
		await page.clock.runFor(0);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	return settled;
}

/**
 * Runs axe on the page as it is now at each width and colour scheme and expects no violation. The
 * page's state must hold still meanwhile (a paused fake clock, or a state nothing moves on from).
 * Leaves the page at the last width and scheme.
 */
export async function expectNoAxeViolations(
	page: Page,
	situation: string,
	{ pausedClock = false }: { pausedClock?: boolean } = {}
): Promise<void> {
	for (const colorScheme of SCHEMES) {
		await page.emulateMedia({ colorScheme });
		for (const viewport of VIEWPORTS) {
			await page.setViewportSize(viewport);
			const results = await analyze(page, pausedClock);
			expect(
				describeViolations(results.violations),
				`axe on ${situation} at ${viewport.width} px, ${colorScheme} scheme`
			).toEqual([]);
		}
	}
}

/** What the focused element is, for a keyboard walk: its test id or name, and whether it shows. */
export interface FocusedElement {
	/** `data-testid`, else the tag and its accessible-looking text. */
	id: string;
	/** Rendered, not `visibility: hidden`, not zero-sized, not inert. */
	visible: boolean;
	/** The element at its centre (after scrolling it into view) is it or inside it. */
	onTop: boolean;
	/** Inside an open modal dialog. */
	inDialog: boolean;
}

/** Describes `document.activeElement` (null: focus is on the body, i.e. lost). */
export function focusedElement(page: Page): Promise<FocusedElement | null> {
	return page.evaluate(() => {
		const element = document.activeElement;
		if (!(element instanceof HTMLElement) || element === document.body) return null;
		const box = element.getBoundingClientRect();
		const x = box.left + box.width / 2;
		const y = box.top + box.height / 2;
		const atCentre = document.elementFromPoint(x, y);
		const label = element.getAttribute('aria-label') ?? element.textContent?.trim() ?? '';
		return {
			id: element.dataset.testid ?? `${element.tagName.toLowerCase()}:${label.slice(0, 30)}`,
			visible:
				element.checkVisibility({ checkVisibilityCSS: true, checkOpacity: true }) &&
				box.width > 0 &&
				box.height > 0 &&
				!element.closest('[inert]'),
			onTop: atCentre !== null && (atCentre === element || element.contains(atCentre)),
			inDialog: element.closest('dialog[open]') !== null
		};
	});
}
