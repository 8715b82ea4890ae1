/**
 * The inspector's keyboard shortcut (Shift+I), shared by the panel and its lazy loader so both
 * answer the same keys.
 */

/** Whether typing goes to this target (a field), where the shortcut must not fire. */
function isEditable(target: EventTarget | null): boolean {
	if (!(target instanceof HTMLElement)) return false;
	return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
}

/** Shift+I with no other modifier, outside a text field, not handled already. */
export function isInspectorShortcut(event: KeyboardEvent): boolean {
	if (event.defaultPrevented) return false;
	const plainShift = event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey;
	return event.key === 'I' && plainShift && !isEditable(event.target);
}
