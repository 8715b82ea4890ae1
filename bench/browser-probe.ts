/**
 * The in-page half of the browser benchmark: a script added with `addInitScript` before the
 * page's own code runs. It counts WebSocket objects, notes when the badge first shows and first
 * reads `open` (with the Resource Timing entries at those moments), counts the frames in which
 * WebGL drew, and drives connect/disconnect cycles through the page's own button.
 *
 * It is plain JavaScript in a string, not a function: tsx compiles functions with helpers
 * (`__name`) that do not exist in the page.
 */
import type { Page } from '@playwright/test';

/** One Resource Timing entry, reduced to what the benchmark reads. */
export interface ResourceEntry {
	name: string;
	initiatorType: string;
	startTime: number;
	responseEnd: number;
	transferSize: number;
	encodedBodySize: number;
	decodedBodySize: number;
}

/** What the probe has recorded, as `window.__bench.report()` returns it. */
export interface ProbeReport {
	socketsCreated: number;
	socketsClosed: number;
	/** Most WebSocket objects constructed and not yet closed (no `close` event), at once. */
	maxAlive: number;
	/** Most WebSocket objects in CONNECTING or OPEN, at once. */
	maxActive: number;
	/** performance.now() (ms since navigation start) of the first WebSocket constructed. */
	firstSocketAt: number | null;
	/** … when that socket's `open` event fired (the handshake done, as the page saw it). */
	firstSocketOpenAt: number | null;
	/** … when that socket's first message (the server's `connected`) arrived. */
	firstMessageAt: number | null;
	/** … when the badge first appeared in the DOM. */
	firstBadgeAt: number | null;
	/** … when the badge first read data-state=open. */
	openAt: number | null;
	badgeResources: ResourceEntry[] | null;
}

/** Script time in long animation frames between two moments (Long Animation Frames API). */
export interface LongScripts {
	/** ms of script in long frames within the window (clipped to it). */
	total: number;
	longest: { duration: number; source: string; invoker: string } | null;
}

/** Frames counted over a window by `window.__bench.sampleFrames`. */
export interface FrameSample {
	seconds: number;
	/** requestAnimationFrame callbacks per second. */
	rafFps: number;
	/** Animation frames per second in which WebGL drew at least once (the avatar rendered). */
	renderFps: number;
	/** Whether the window ended early because the avatar stopped speaking. */
	endedEarly: boolean;
}

export const PROBE_SCRIPT = String.raw`(() => {
	const b = {
		created: 0, closed: 0, live: new Set(), maxAlive: 0, maxActive: 0,
		firstSocketAt: null, firstSocketOpenAt: null, firstMessageAt: null,
		firstBadgeAt: null, openAt: null, badgeResources: null,
		renderFrames: 0, lastRenderTime: -1
	};
	Object.defineProperty(window, '__bench', { value: b });

	const Native = window.WebSocket;
	const active = () => {
		let n = 0;
		for (const s of b.live) if (s.readyState <= 1) n += 1;
		return n;
	};
	class CountedWebSocket extends Native {
		constructor(url, protocols) {
			super(url, protocols);
			b.created += 1;
			b.live.add(this);
			if (b.firstSocketAt === null) {
				b.firstSocketAt = performance.now();
				// Listeners added first, so they run before the page's own: the moment the event came.
				this.addEventListener('open', () => (b.firstSocketOpenAt = performance.now()), { once: true });
				this.addEventListener('message', () => (b.firstMessageAt = performance.now()), { once: true });
			}
			b.maxAlive = Math.max(b.maxAlive, b.live.size);
			b.maxActive = Math.max(b.maxActive, active());
			this.addEventListener('close', () => {
				b.closed += 1;
				b.live.delete(this);
			});
		}
	}
	window.WebSocket = CountedWebSocket;

	const resources = () => performance.getEntriesByType('resource').map((e) => ({
		name: e.name, initiatorType: e.initiatorType, startTime: e.startTime, responseEnd: e.responseEnd,
		transferSize: e.transferSize, encodedBodySize: e.encodedBodySize, decodedBodySize: e.decodedBodySize
	}));
	const badge = () => document.querySelector('[data-testid="connection-badge"]');
	const button = () => document.querySelector('[data-testid="connection-button"]');
	const first = new MutationObserver(() => {
		const el = badge();
		if (!el) return;
		if (b.firstBadgeAt === null) {
			b.firstBadgeAt = performance.now();
			b.badgeResources = resources();
		}
		if (el.getAttribute('data-state') === 'open') {
			b.openAt = performance.now();
			first.disconnect();
		}
	});
	first.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });

	// A frame in which WebGL drew: three.js renders inside the avatar's requestAnimationFrame
	// callback, and document.timeline.currentTime is the same for every callback of one frame.
	const drew = () => {
		const t = document.timeline.currentTime;
		if (t !== b.lastRenderTime) {
			b.lastRenderTime = t;
			b.renderFrames += 1;
		}
	};
	for (const Ctx of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
		if (!Ctx) continue;
		for (const name of ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced', 'drawRangeElements']) {
			const native = Ctx.prototype[name];
			if (typeof native !== 'function') continue;
			Ctx.prototype[name] = function (...args) {
				drew();
				return native.apply(this, args);
			};
		}
	}

	b.report = () => ({
		socketsCreated: b.created, socketsClosed: b.closed, maxAlive: b.maxAlive, maxActive: b.maxActive,
		firstSocketAt: b.firstSocketAt, firstSocketOpenAt: b.firstSocketOpenAt,
		firstMessageAt: b.firstMessageAt, firstBadgeAt: b.firstBadgeAt, openAt: b.openAt,
		badgeResources: b.badgeResources
	});
	b.resources = resources;

	// Scripts that ran in long animation frames (over 50 ms) between two moments.
	b.longScripts = (from, to) => {
		let total = 0;
		let longest = null;
		for (const frame of performance.getEntriesByType('long-animation-frame')) {
			for (const s of frame.scripts) {
				// Only the part inside the window: the script that creates the socket started before it.
				const inside = Math.min(s.startTime + s.duration, to) - Math.max(s.startTime, from);
				if (inside <= 0) continue;
				total += inside;
				if (!longest || inside > longest.duration) {
					longest = { duration: inside, source: s.sourceURL.split('/').pop() || '(page)', invoker: s.invokerType };
				}
			}
		}
		return { total, longest };
	};

	// Resolves once the badge reads the state and the button offers the next action.
	const settled = (state, label) => new Promise((resolve, reject) => {
		const done = () => badge()?.getAttribute('data-state') === state && button()?.textContent.trim() === label;
		if (done()) return resolve();
		const timer = setTimeout(() => {
			watch.disconnect();
			reject(new Error('the badge did not reach ' + state + ' within 10 s (it shows ' + badge()?.getAttribute('data-state') + ')'));
		}, 10000);
		const watch = new MutationObserver(() => {
			if (!done()) return;
			clearTimeout(timer);
			watch.disconnect();
			resolve();
		});
		watch.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-state'] });
	});
	// Disconnect -> idle -> Connect -> open, n times, by clicking the page's own button.
	b.cycles = async (n) => {
		const from = performance.now();
		for (let i = 0; i < n; i += 1) {
			button().click();
			await settled('idle', 'Connect');
			button().click();
			await settled('open', 'Disconnect');
		}
		return performance.now() - from;
	};

	// Counts animation frames and WebGL-drawing frames for ms (or until the avatar stops speaking).
	b.sampleFrames = (ms, whileSpeaking) => new Promise((resolve) => {
		const avatar = document.querySelector('[data-testid="avatar"]');
		const renders = b.renderFrames;
		let raf = 0;
		let from = -1;
		const tick = (now) => {
			if (from < 0) from = now;
			else raf += 1;
			const elapsed = now - from;
			const stopped = whileSpeaking && avatar?.getAttribute('data-speaking') !== 'true';
			if (elapsed >= ms || stopped) {
				const seconds = elapsed / 1000;
				return resolve({
					seconds, rafFps: raf / seconds, renderFps: (b.renderFrames - renders) / seconds,
					endedEarly: Boolean(stopped) && elapsed < ms
				});
			}
			requestAnimationFrame(tick);
		};
		requestAnimationFrame(tick);
	});
})();`;

/** Adds the probe to every page of the context, before any of the page's scripts. */
export async function installProbe(page: Page): Promise<void> {
	await page.addInitScript({ content: PROBE_SCRIPT });
}

/** The probe's record so far. */
export function probeReport(page: Page): Promise<ProbeReport> {
	return page.evaluate('window.__bench.report()') as Promise<ProbeReport>;
}

/** Resource Timing entries now. */
export function probeResources(page: Page): Promise<ResourceEntry[]> {
	return page.evaluate('window.__bench.resources()') as Promise<ResourceEntry[]>;
}

/** Script time in long animation frames between `from` and `to` (performance.now() ms). */
export function probeLongScripts(page: Page, from: number, to: number): Promise<LongScripts> {
	return page.evaluate(`window.__bench.longScripts(${from}, ${to})`) as Promise<LongScripts>;
}

/** Runs `n` connect/disconnect cycles through the page's button; resolves with their ms. */
export function probeCycles(page: Page, n: number): Promise<number> {
	return page.evaluate(`window.__bench.cycles(${Math.floor(n)})`) as Promise<number>;
}

/** Samples the frame rates for `ms` (or while the avatar speaks). */
export function probeFrames(page: Page, ms: number, whileSpeaking: boolean): Promise<FrameSample> {
	return page.evaluate(
		`window.__bench.sampleFrames(${Math.floor(ms)}, ${whileSpeaking})`
	) as Promise<FrameSample>;
}
