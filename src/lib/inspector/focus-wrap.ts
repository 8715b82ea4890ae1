/**
 * Tab and Shift+Tab cycling inside a modal dialog, as the ARIA dialog pattern asks: a native
 * `<dialog>` makes the page under it inert, but Tab past its last control still leaves for the
 * browser's own UI (and the focus lands on the page's body), so the ends are joined here.
 */

const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]';

/** The elements inside `container` that Tab stops at, in document order. */
export function tabStops(container: HTMLElement): HTMLElement[] {
	return [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
		(element) => element.tabIndex >= 0 && !element.matches(':disabled') && element.checkVisibility()
	);
}

/** On Tab from the last stop go to the first; on Shift+Tab from the first (or before it), to the last. */
export function wrapTab(event: KeyboardEvent, container: HTMLElement): void {
	if (event.key !== 'Tab' || event.altKey || event.ctrlKey || event.metaKey) return;
	const stops = tabStops(container);
	const first = stops[0];
	const last = stops.at(-1);
	if (!first || !last) return;
	const active = document.activeElement;
	if (!event.shiftKey && active === last) {
		event.preventDefault();
		first.focus();
	} else if (event.shiftKey && (active === first || !stops.some((stop) => stop === active))) {
		// `active` not a stop: the dialog's heading, focused on open, which comes before them all.
		event.preventDefault();
		last.focus();
	}
}
