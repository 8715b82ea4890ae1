/**
 * Page loads: the time from navigation to the badge reading `open`, in fresh contexts (cold
 * cache) and in one context loading again (warm cache), and the JavaScript the page fetched
 * before the badge showed, apart from the lazy avatar chunk (three.js).
 */
import type { Browser, Page } from '@playwright/test';
import {
	installProbe,
	probeReport,
	probeLongScripts,
	probeResources,
	type LongScripts,
	type ProbeReport,
	type ResourceEntry
} from './browser-probe';

export interface LoadTiming {
	/** ms since navigation start, as performance.now() read them in the page. */
	openAt: number;
	firstBadgeAt: number;
	firstSocketAt: number;
	/** The socket's `open` event, and its first message (`connected`). */
	firstSocketOpenAt: number;
	firstMessageAt: number;
	/** Script bytes that came over the network in this load (0 when all came from the cache). */
	scriptTransfer: number;
	/** Script in long animation frames between the socket's creation and `open`. */
	blocked: LongScripts;
	/** Why the badge never read `open` within OPEN_TIMEOUT_MS, when it did not. */
	failure?: string;
}

const OPEN_TIMEOUT_MS = 30_000;

export interface ScriptFile {
	path: string;
	transferSize: number;
	encodedBodySize: number;
	decodedBodySize: number;
	/** Content-Encoding the server answered with ('' for none). */
	encoding: string;
	/** Finished loading before the badge first showed. */
	beforeBadge: boolean;
	/** Its source contains three.js (the avatar's renderer). */
	three: boolean;
	/** Libraries recognised in its source (by a string each leaves in a minified build). */
	contains: string[];
}

export interface PageBytes {
	/** Whether the load asked for a model (`?avatar=`) and waited until it showed. */
	model: boolean;
	files: ScriptFile[];
	html: { transferSize: number; decodedBodySize: number };
	acceptEncoding: string;
	avatarStatus: string;
}

const isScript = (entry: ResourceEntry) => new URL(entry.name).pathname.endsWith('.js');

/** Loads the page once and returns its timing; the page must have the probe installed. */
async function timeLoad(
	page: Page,
	url: string
): Promise<{ timing: LoadTiming; probe: ProbeReport }> {
	await page.goto(url);
	let failure: string | undefined;
	try {
		await page
			.locator('[data-testid=connection-badge][data-state=open]')
			.waitFor({ timeout: OPEN_TIMEOUT_MS });
	} catch {
		const state = await page.getByTestId('connection-badge').getAttribute('data-state');
		failure = `not open after ${OPEN_TIMEOUT_MS / 1000} s (badge: ${state ?? 'absent'})`;
	}
	const probe = await probeReport(page);
	const resources = await probeResources(page);
	const blocked = await probeLongScripts(
		page,
		probe.firstSocketAt ?? 0,
		probe.openAt ?? Number.MAX_SAFE_INTEGER
	);
	return {
		probe,
		timing: {
			failure,
			blocked,
			openAt: probe.openAt ?? Number.NaN,
			firstBadgeAt: probe.firstBadgeAt ?? Number.NaN,
			firstSocketAt: probe.firstSocketAt ?? Number.NaN,
			firstSocketOpenAt: probe.firstSocketOpenAt ?? Number.NaN,
			firstMessageAt: probe.firstMessageAt ?? Number.NaN,
			scriptTransfer: resources.filter(isScript).reduce((n, e) => n + e.transferSize, 0)
		}
	};
}

/** `count` loads, each in a new browser context (empty cache, no storage). */
export async function coldLoads(
	browser: Browser,
	baseUrl: string,
	count: number
): Promise<LoadTiming[]> {
	const timings: LoadTiming[] = [];
	for (let i = 0; i < count; i += 1) {
		const context = await browser.newContext();
		try {
			const page = await context.newPage();
			await installProbe(page);
			timings.push((await timeLoad(page, `${baseUrl}/?clientId=bench-cold-${i}`)).timing);
		} finally {
			await context.close();
		}
	}
	return timings;
}

/** One priming load, then `count` more navigations of the same tab (HTTP cache warm). */
export async function warmLoads(
	browser: Browser,
	baseUrl: string,
	count: number
): Promise<LoadTiming[]> {
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		await installProbe(page);
		await timeLoad(page, `${baseUrl}/?clientId=bench-warm-prime`);
		const timings: LoadTiming[] = [];
		for (let i = 0; i < count; i += 1) {
			timings.push((await timeLoad(page, `${baseUrl}/?clientId=bench-warm-${i}`)).timing);
		}
		return timings;
	} finally {
		await context.close();
	}
}

/**
 * One cold load that waits for the avatar too: every script file with its sizes, whether it had
 * arrived when the badge first showed, whether it is three.js, and whether the HTML names it.
 */
export async function pageBytes(
	browser: Browser,
	baseUrl: string,
	modelUrl?: string
): Promise<PageBytes> {
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		await installProbe(page);
		const encodings = new Map<string, string>();
		let acceptEncoding = '';
		page.on('response', (response) => {
			const path = new URL(response.url()).pathname;
			encodings.set(path, response.headers()['content-encoding'] ?? '');
			if (path.endsWith('.js') && !acceptEncoding) {
				void response
					.request()
					.allHeaders()
					.then((headers) => (acceptEncoding ||= headers['accept-encoding'] ?? ''));
			}
		});
		const model = modelUrl ? `&avatar=${encodeURIComponent(modelUrl)}` : '';
		const { probe } = await timeLoad(page, `${baseUrl}/?clientId=bench-bytes${model}`);
		const avatar = page.locator('[data-testid=avatar]:not([data-avatar-status=loading])');
		await avatar.waitFor({ timeout: 60_000 });
		if (modelUrl) {
			await page
				.locator('[data-testid=avatar][data-avatar-model=glb]')
				.waitFor({ timeout: 60_000 });
		}
		const avatarStatus = (await avatar.getAttribute('data-avatar-status')) ?? '';
		const nav = (await page.evaluate(
			"(() => { const n = performance.getEntriesByType('navigation')[0]; return { transferSize: n.transferSize, decodedBodySize: n.decodedBodySize }; })()"
		)) as { transferSize: number; decodedBodySize: number };
		const before = new Set((probe.badgeResources ?? []).filter(isScript).map((e) => e.name));
		const files: ScriptFile[] = [];
		for (const entry of (await probeResources(page)).filter(isScript)) {
			const path = new URL(entry.name).pathname;
			const source = await (await fetch(entry.name)).text();
			files.push({
				path,
				transferSize: entry.transferSize,
				encodedBodySize: entry.encodedBodySize,
				decodedBodySize: entry.decodedBodySize,
				encoding: encodings.get(path) ?? '',
				beforeBadge: before.has(entry.name),
				three: source.includes(THREE_MARK),
				contains: Object.entries(LIBRARY_MARKS)
					.filter(([, mark]) => source.includes(mark))
					.map(([name]) => name)
			});
		}
		return {
			model: Boolean(modelUrl),
			files,
			html: nav,
			acceptEncoding,
			avatarStatus
		};
	} finally {
		await context.close();
	}
}

/** three.js's renderer names itself in its warnings ("THREE.WebGLRenderer: …"). */
const THREE_MARK = 'THREE.WebGLRenderer';

/** Strings that survive minification, to say which libraries a chunk carries. */
export const LIBRARY_MARKS: Record<string, string> = {
	'three.js': THREE_MARK,
	GLTFLoader: 'THREE.GLTFLoader',
	'@pixiv/three-vrm': 'VRMExpressionLoaderPlugin',
	elkjs: 'org.eclipse.elk',
	'@statelyai/inspect': '@statelyai.connected',
	xstate: 'xstate.init'
};

/** The model loaders, which must arrive only when a model is asked for. */
export const LOADER_LIBRARIES = ['GLTFLoader', '@pixiv/three-vrm'] as const;
