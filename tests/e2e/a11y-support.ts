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

/** One width and colour scheme the page is checked in. */
export interface Look {
	viewport: (typeof VIEWPORTS)[number];
	colorScheme: (typeof SCHEMES)[number];
}

/** Every width in every colour scheme. */
export const LOOKS: Look[] = SCHEMES.flatMap((colorScheme) =>
	VIEWPORTS.map((viewport) => ({ viewport, colorScheme }))
);

/** Shows the page at `look`'s width and in its colour scheme. */
export async function showAs(page: Page, { viewport, colorScheme }: Look): Promise<void> {
	await page.emulateMedia({ colorScheme });
	await page.setViewportSize(viewport);
}

/**
 * axe on the page as it is now: its violations, one line each. axe hands each rule's result on
 * with `setTimeout`, so the page's clock must be running (not a paused fake clock).
 */
export async function axeViolations(page: Page): Promise<string[]> {
	const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
	return describeViolations(results.violations);
}

/**
 * Runs axe on the page as it is now at each width and colour scheme and expects no violation. The
 * page must hold still meanwhile. Leaves the page at the last width and scheme.
 */
export async function expectNoAxeViolations(page: Page, situation: string): Promise<void> {
	for (const look of LOOKS) {
		await showAs(page, look);
		expect(
			await axeViolations(page),
			`axe on ${situation} at ${look.viewport.width} px, ${look.colorScheme} scheme`
		).toEqual([]);
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
