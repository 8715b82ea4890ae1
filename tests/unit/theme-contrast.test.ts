/**
 * The theme's colours, read from src/app.css (the one place they are defined), against WCAG 2.2's
 * contrast minimum (1.4.3): the badge's label in every connection state, and the other text
 * colours, keep 4.5:1 on the surfaces they sit on, in the light and the dark scheme.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONNECTION_STATE_NAMES, type ConnectionStateName } from '../../machines/state-names';
import { badgeView } from '../../src/lib/connection/badge';

const CSS = readFileSync(new URL('../../src/app.css', import.meta.url), 'utf8');

/** The custom properties declared in the first `:root { … }` at or after `from`. */
function rootProperties(from: number): Map<string, string> {
	const start = CSS.indexOf(':root', from);
	const block = CSS.slice(CSS.indexOf('{', start) + 1, CSS.indexOf('}', start));
	const properties = new Map<string, string>();
	for (const [, name = '', value = ''] of block.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)) {
		properties.set(name, value.trim());
	}
	return properties;
}

const light = rootProperties(0);
const darkAt = CSS.indexOf('@media (prefers-color-scheme: dark)');
const schemes = {
	light,
	// The dark block overrides some properties; the rest carry over from the light one.
	dark: new Map([...light, ...rootProperties(darkAt)])
};

/** Relative luminance of a `#rrggbb` colour (WCAG 2.2, "relative luminance"). */
function luminance(hex: string): number {
	const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
	if (!match) throw new Error(`not a #rrggbb colour: ${hex}`);
	const [r = 0, g = 0, b = 0] = match.slice(1).map((pair) => {
		const channel = parseInt(pair, 16) / 255;
		return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
	});
	return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of two colours, 1 to 21. */
function contrast(a: string, b: string): number {
	const [x, y] = [luminance(a), luminance(b)];
	return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/** The tone the badge shows in `state` (online; offline backingOff has the same tone). */
function toneOf(state: ConnectionStateName): string {
	const view = badgeView(
		{
			state,
			attempt: 1,
			maxAttempts: 10,
			retryAt: 5_000,
			lastClose: null,
			why: null,
			online: true
		},
		0
	);
	return `--tone-${view.tone}`;
}

function colour(scheme: Map<string, string>, name: string): string {
	const value = scheme.get(name);
	if (!value) throw new Error(`${name} is not defined in src/app.css`);
	return value;
}

describe('theme contrast (WCAG 1.4.3, 4.5:1 for text)', () => {
	it('reads both schemes from src/app.css', () => {
		expect(darkAt).toBeGreaterThan(0);
		expect(schemes.light.get('--surface')).toBe('#ffffff');
		expect(schemes.dark.get('--surface')).not.toBe('#ffffff');
	});

	for (const [schemeName, scheme] of Object.entries(schemes)) {
		for (const state of CONNECTION_STATE_NAMES) {
			it(`${schemeName}: the badge's label in ${state} passes on the badge and the page`, () => {
				const text = colour(scheme, toneOf(state));
				for (const background of ['--surface', '--bg']) {
					const ratio = contrast(text, colour(scheme, background));
					expect(
						ratio,
						`${toneOf(state)} on ${background}: ${ratio.toFixed(2)}:1`
					).toBeGreaterThanOrEqual(4.5);
				}
			});
		}

		it(`${schemeName}: body, muted and button text pass on the surfaces they sit on`, () => {
			const pairs: [string, string][] = [
				['--text', '--bg'],
				['--text', '--surface'],
				['--text', '--avatar-bubble'],
				['--text-muted', '--bg'],
				['--text-muted', '--surface'],
				['--accent-text', '--accent'],
				['--user-bubble-text', '--user-bubble']
			];
			for (const [text, background] of pairs) {
				const ratio = contrast(colour(scheme, text), colour(scheme, background));
				expect(ratio, `${text} on ${background}: ${ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(
					4.5
				);
			}
		});
	}
});
