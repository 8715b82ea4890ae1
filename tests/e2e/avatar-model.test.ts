/**
 * Your own avatar, in the real built app in Chromium (WebGL through SwiftShader): a GLB with
 * Ready Player Me / ARKit morphs and a minimal VRM 1.0, both made in code by
 * support/avatar-files.ts, loaded through the file input, a drop and `?avatar=` (served by
 * a small HTTP server of this test). The avatar element says what the renderer shows
 * (`data-avatar-model`), which model targets are at 0.25 or more (`data-model-active`) and what
 * the GPU holds (`data-gpu-geometries`, `data-gpu-textures`).
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CDPSession, Locator, Page, TestInfo } from '@playwright/test';
import { LIBRARY_MARKS, LOADER_LIBRARIES } from '../../bench/browser-loads';
import { installProbe, probeReport, probeResources } from '../../bench/browser-probe';
import {
	makeBrokenFiles,
	makeFacelessGlb,
	makeTestGlb,
	makeTestVrm
} from '../../support/avatar-files';
import { expect, expectState, test, uniqueId } from './page-support';
import { pixelStats, settled } from './pixels';

let glb: Buffer;
let vrm: Buffer;
let files: Server;
let filesUrl: string;
let scratch: string;

/** Serves the test models across origins, and a "huge" one that announces 60 MB. */
function serveModels(): Promise<Server> {
	const server = createServer((request, response) => {
		const cors = { 'access-control-allow-origin': '*' };
		const send = (body: Buffer) => {
			response.writeHead(200, {
				...cors,
				'content-type': 'model/gltf-binary',
				'content-length': body.length
			});
			response.end(body);
		};
		if (request.url === '/test.glb') return send(glb);
		if (request.url === '/test.vrm') return send(vrm);
		if (request.url === '/huge.glb') {
			response.writeHead(200, { ...cors, 'content-length': 60 * 1024 * 1024 });
			// The page must give up on the announced size alone; it gets the first bytes at most.
			response.write(glb.subarray(0, 1024));
			response.on('error', () => undefined);
			return;
		}
		response.writeHead(404, cors);
		response.end();
	});
	server.on('connection', (socket) => socket.on('error', () => undefined));
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test.beforeAll(async () => {
	[glb, vrm] = await Promise.all([makeTestGlb(), makeTestVrm()]);
	files = await serveModels();
	filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
	scratch = mkdtempSync(path.join(tmpdir(), 'talkline-avatar-files-'));
});

test.afterAll(async () => {
	files.closeAllConnections();
	await new Promise((resolve) => files.close(resolve));
	rmSync(scratch, { recursive: true, force: true });
});

async function openDemo(page: Page, query = ''): Promise<Locator> {
	await page.setViewportSize({ width: 800, height: 1000 });
	await page.goto(`/dev/avatar?motion=0&adapt=0${query}`);
	const avatar = page.getByTestId('avatar');
	// SwiftShader starts slowly on a busy machine.
	await expect(avatar).toHaveAttribute('data-avatar-status', 'ready', { timeout: 60_000 });
	return avatar;
}

async function choose(page: Page, name: string, buffer: Buffer): Promise<void> {
	await page
		.getByTestId('avatar-file')
		.setInputFiles({ name, mimeType: 'model/gltf-binary', buffer });
}

/** Waits for the renderer to show a model of this kind (builtin, glb, vrm). */
async function expectModel(avatar: Locator, kind: string): Promise<void> {
	await expect(avatar).toHaveAttribute('data-avatar-model', kind, { timeout: 30_000 });
}

/** The model targets at 0.25 or more, once they include every one of `names`. */
async function expectActive(avatar: Locator, names: string[]): Promise<string[]> {
	let active: string[] = [];
	await expect(async () => {
		active = ((await avatar.getAttribute('data-model-active')) ?? '').split(' ').filter(Boolean);
		expect(active).toEqual(expect.arrayContaining(names));
	}).toPass({ timeout: 20_000 });
	return active;
}

/**
 * Records, from the first render on, the avatar's shown viseme beside the model's active morph
 * targets each time either changes: which morphs moved for which mouth shape.
 */
async function recordMouth(page: Page): Promise<void> {
	await page.addInitScript(() => {
		const seen: { viseme: string; active: string[] }[] = [];
		Object.assign(window, { __mouth: seen });
		new MutationObserver(() => {
			const avatar = document.querySelector('[data-testid="avatar"]');
			if (!avatar) return;
			const viseme = avatar.getAttribute('data-viseme') ?? '';
			const active = (avatar.getAttribute('data-model-active') ?? '').split(' ').filter(Boolean);
			seen.push({ viseme, active });
		}).observe(document, {
			subtree: true,
			attributes: true,
			attributeFilter: ['data-viseme', 'data-model-active']
		});
	});
}

/** The visemes the mouth showed while the model's own morph for that viseme was active. */
function visemesWithTheirMorph(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const seen = (window as unknown as { __mouth: { viseme: string; active: string[] }[] }).__mouth;
		const matched = seen
			.filter(({ viseme, active }) => viseme !== 'sil' && active.includes(`viseme_${viseme}`))
			.map(({ viseme }) => viseme);
		return [...new Set(matched)];
	});
}

async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
	const file = path.join(testInfo.project.outputDir, 'screenshots', `avatar-model-${name}.png`);
	await page.getByTestId('avatar').screenshot({ path: file, timeout: 30_000 });
	await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

const press = (page: Page, selector: string) => page.locator(selector).press('Enter');

test('a GLB chosen in the file input is driven like the built-in head: visemes, moods', async ({
	page
}, testInfo) => {
	test.setTimeout(120_000);
	const avatar = await openDemo(page);
	await expectModel(avatar, 'builtin');
	await choose(page, 'ready-player-test.glb', glb);
	await expectModel(avatar, 'glb');
	await expect(page.getByTestId('avatar-message')).toHaveText('Showing ready-player-test.glb.');
	// The test head has every viseme, ARKit shape and bone: nothing to report missing.
	await expect(page.getByTestId('avatar-problems')).toHaveCount(0);
	// Attentive (the open state): a light smile through the model's ARKit smile shapes.
	await expect(avatar).toHaveAttribute('data-model-active', 'mouthSmileLeft mouthSmileRight');
	await screenshot(page, testInfo, 'glb-open');

	// A viseme moves its own morph; the smile gives way while the mouth speaks.
	await press(page, '[data-viseme-button=aa]');
	await expect(avatar).toHaveAttribute('data-model-active', 'viseme_aa');
	await screenshot(page, testInfo, 'glb-aa');
	await press(page, '[data-viseme-button=O]');
	await expect(avatar).toHaveAttribute('data-model-active', 'viseme_O');
	await press(page, '[data-viseme-button=sil]');
	await expect(avatar).toHaveAttribute('data-model-active', 'mouthSmileLeft mouthSmileRight');

	await press(page, 'section[aria-label=Mood] button:text-is("happy")');
	await expectActive(avatar, ['cheekSquintLeft', 'cheekSquintRight', 'mouthSmileLeft']);
	await expect(avatar).not.toHaveAttribute('data-model-active', /mouthFrown/);
	await screenshot(page, testInfo, 'glb-happy');
	await press(page, 'section[aria-label=Mood] button:text-is("sad")');
	await expectActive(avatar, ['browInnerUp', 'mouthFrownLeft', 'mouthFrownRight']);

	await page.getByTestId('avatar-default').click();
	await expectModel(avatar, 'builtin');
	await expect(page.getByTestId('avatar-message')).toHaveText('Showing the default avatar.');
});

/**
 * The scripts of this page load, split at the moment the badge first showed (the benchmark's
 * probe snapshots Resource Timing then), each with the model loaders its source carries.
 */
async function loadersAroundBadge(page: Page) {
	const { badgeResources } = await probeReport(page);
	const before = new Set((badgeResources ?? []).map((entry) => entry.name));
	const scripts = (await probeResources(page)).filter((entry) => entry.name.endsWith('.js'));
	const split = { before: [] as string[], after: [] as string[], beforeCount: 0 };
	for (const { name } of scripts) {
		const source = await (await page.request.get(name)).text();
		const loaders = LOADER_LIBRARIES.filter((library) => source.includes(LIBRARY_MARKS[library]!));
		if (before.has(name)) split.beforeCount += 1;
		(before.has(name) ? split.before : split.after).push(...loaders);
	}
	return split;
}

test('GLTFLoader and three-vrm are not among the scripts before the badge, with or without ?avatar=', async ({
	page
}) => {
	test.setTimeout(120_000);
	await installProbe(page);
	await page.goto(`/?clientId=${uniqueId('e2e-loaders')}`);
	await expectState(page, 'open');
	const avatar = page.getByTestId('avatar');
	await expect(avatar).toHaveAttribute('data-avatar-status', 'ready', { timeout: 60_000 });
	const plain = await loadersAroundBadge(page);
	expect(plain.beforeCount).toBeGreaterThan(0);
	expect(plain.before).toEqual([]);
	// Nobody asked for a model: the loaders do not come at all.
	expect(plain.after).toEqual([]);

	const address = encodeURIComponent(`${filesUrl}/test.vrm`);
	await page.goto(`/?clientId=${uniqueId('e2e-loaders-vrm')}&avatar=${address}`);
	await expectState(page, 'open');
	await expectModel(avatar, 'vrm');
	const asked = await loadersAroundBadge(page);
	expect(asked.before).toEqual([]);
	// Control: the marks do find both loaders once a model is asked for, after the badge.
	expect(asked.after).toEqual(expect.arrayContaining([...LOADER_LIBRARIES]));
});

test('a loaded model greys out in the failed state, like the built-in head', async ({
	page
}, testInfo) => {
	test.setTimeout(120_000);
	const avatar = await openDemo(page, `&avatar=${encodeURIComponent(`${filesUrl}/test.glb`)}`);
	await expectModel(avatar, 'glb');
	const open = await settled(avatar);
	await press(page, 'section[aria-label="Connection state"] button:text-is("failed")');
	await expect(avatar).toHaveAttribute('data-state', 'failed');
	const failed = await settled(avatar);
	await screenshot(page, testInfo, 'glb-failed');
	const colour = { open: await pixelStats(page, open), failed: await pixelStats(page, failed) };
	// Control: the open face is in colour (skin and a blue shirt), so losing it can show.
	expect(colour.open.coloured).toBeGreaterThan(0.1);
	expect(colour.failed.coloured).toBeLessThan(colour.open.coloured / 2);
	// Back in colour when the connection recovers.
	await press(page, 'section[aria-label="Connection state"] button:text-is("open")');
	const again = await settled(avatar);
	expect((await pixelStats(page, again)).coloured).toBeGreaterThan(colour.open.coloured * 0.8);
});

test('a VRM from ?avatar= speaks with its vowels and shows moods with its presets', async ({
	page
}, testInfo) => {
	test.setTimeout(120_000);
	const avatar = await openDemo(page, `&avatar=${encodeURIComponent(`${filesUrl}/test.vrm`)}`);
	await expectModel(avatar, 'vrm');
	await expect(page.getByTestId('avatar-problems')).toHaveCount(0);
	await press(page, '[data-viseme-button=aa]');
	await expect(avatar).toHaveAttribute('data-model-active', 'aa');
	await press(page, '[data-viseme-button=U]');
	await expect(avatar).toHaveAttribute('data-model-active', 'ou');
	await press(page, '[data-viseme-button=E]');
	await expect(avatar).toHaveAttribute('data-model-active', 'ee');
	await screenshot(page, testInfo, 'vrm-ee');
	await press(page, '[data-viseme-button=sil]');
	await press(page, 'section[aria-label=Mood] button:text-is("happy")');
	await expect(avatar).toHaveAttribute('data-model-active', 'happy');
	await press(page, 'section[aria-label="Connection state"] button:text-is("idle")');
	// Asleep: the lids close through the VRM's own blink expressions.
	await expectActive(avatar, ['blinkLeft', 'blinkRight']);
});

test('on the talk page a chosen GLB mouths the answer, smiles, and comes back after a reload', async ({
	page
}, testInfo) => {
	test.setTimeout(150_000);
	await recordMouth(page);
	await page.setViewportSize({ width: 1100, height: 800 });
	await page.goto(`/?clientId=${uniqueId('e2e-avatar-model')}`);
	await expectState(page, 'open');
	const avatar = page.getByTestId('avatar');
	await expect(avatar).toHaveAttribute('data-avatar-status', 'ready', { timeout: 30_000 });
	await choose(page, 'my-avatar.glb', glb);
	await expectModel(avatar, 'glb');

	await page.getByTestId('chat-input').fill('Thanks!');
	await page.getByTestId('send-button').click();
	await expect(avatar).toHaveAttribute('data-speaking', 'true', { timeout: 20_000 });
	// Speaking moves the mouth through the model's viseme morphs (whichever the words need).
	await expect(avatar).toHaveAttribute('data-model-active', /viseme_/, { timeout: 20_000 });
	await screenshot(page, testInfo, 'talk-page-speaking');
	await page.screenshot({
		path: path.join(testInfo.project.outputDir, 'screenshots', 'avatar-model-talk-page.png'),
		timeout: 30_000
	});
	await expect(avatar).toHaveAttribute('data-speaking', 'false', { timeout: 30_000 });
	// The right morphs: as the mouth showed a viseme, the model's morph of that name was active
	// (eight of them for this answer here; a slow machine draws fewer frames).
	const matched = await visemesWithTheirMorph(page);
	expect(
		matched.length,
		`visemes shown with their own morph: ${matched.join(' ')}`
	).toBeGreaterThanOrEqual(2);
	// "You're welcome! Happy to help." comes with the happy mood.
	await expect(avatar).toHaveAttribute('data-mood', 'happy');
	await expectActive(avatar, ['mouthSmileLeft', 'mouthSmileRight']);

	await page.reload();
	await expectModel(page.getByTestId('avatar'), 'glb');
	await page.getByTestId('avatar-default').click();
	await expectModel(page.getByTestId('avatar'), 'builtin');
	await page.reload();
	await expect(page.getByTestId('avatar-picker')).toBeVisible({ timeout: 30_000 });
	await expect(page.getByTestId('avatar')).toHaveAttribute('data-avatar-status', 'ready', {
		timeout: 30_000
	});
	await expect(page.getByTestId('avatar-message')).toHaveText('');
	await expectModel(page.getByTestId('avatar'), 'builtin');
});

test('a VRM from ?avatar= on the talk page mouths the answer with its vowels', async ({ page }) => {
	test.setTimeout(120_000);
	const address = encodeURIComponent(`${filesUrl}/test.vrm`);
	await page.goto(`/?clientId=${uniqueId('e2e-avatar-vrm')}&avatar=${address}`);
	await expectState(page, 'open');
	const avatar = page.getByTestId('avatar');
	await expectModel(avatar, 'vrm');
	await page.getByTestId('chat-input').fill('Who are you?');
	await page.getByTestId('send-button').click();
	await expect(avatar).toHaveAttribute('data-model-active', /\b(aa|ih|ou|ee|oh)\b/, {
		timeout: 20_000
	});
});

test('a dropped file loads too', async ({ page }) => {
	test.setTimeout(90_000);
	const avatar = await openDemo(page);
	const transfer = await page.evaluateHandle(
		(bytes) => {
			const data = new DataTransfer();
			data.items.add(
				new File([new Uint8Array(bytes)], 'dropped.vrm', { type: 'model/gltf-binary' })
			);
			return data;
		},
		[...vrm]
	);
	await page.dispatchEvent('body', 'dragenter', { dataTransfer: transfer });
	await page.dispatchEvent('body', 'dragover', { dataTransfer: transfer });
	await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
	await expectModel(avatar, 'vrm');
	await expect(page.getByTestId('avatar-message')).toHaveText('Showing dropped.vrm.');
});

test('bad files leave the built-in head with a message saying why', async ({ page }) => {
	test.setTimeout(120_000);
	const avatar = await openDemo(page);
	const message = page.getByTestId('avatar-message');
	const broken = makeBrokenFiles();

	await choose(page, 'holiday.zip.glb', broken.notGltf);
	await expect(message).toHaveText(
		'holiday.zip.glb could not be loaded: This is not a glTF binary: choose a .glb (for example from Ready Player Me) or a .vrm file. The built-in head stays.'
	);
	await expectModel(avatar, 'builtin');

	await choose(page, 'cut.glb', await broken.truncated);
	await expect(message).toContainText('cut.glb could not be loaded: This model file is broken');
	await expect(message).toContainText('The built-in head stays.');

	await choose(page, 'faceless.glb', await makeFacelessGlb());
	await expect(message).toContainText('This model has no face Talkline can drive');

	// 51 MB on disk (sparse): the page refuses it by its size without reading it.
	const huge = path.join(scratch, 'huge.glb');
	writeFileSync(huge, glb.subarray(0, 20));
	truncateSync(huge, 51 * 1024 * 1024);
	await page.getByTestId('avatar-file').setInputFiles(huge);
	await expect(message).toHaveText(
		'huge.glb could not be loaded: This model is 51.0 MB; the limit is 50.0 MB. Choose a smaller file. The built-in head stays.'
	);
	await expectModel(avatar, 'builtin');

	// A good model, then a bad file: the good one stays.
	await choose(page, 'good.glb', glb);
	await expectModel(avatar, 'glb');
	await choose(page, 'bad.glb', broken.notGltf);
	await expect(message).toContainText('bad.glb could not be loaded');
	await expect(message).toContainText('The current avatar stays.');
	await expectModel(avatar, 'glb');
	await press(page, '[data-viseme-button=aa]');
	await expectActive(avatar, ['viseme_aa']);
});

test('a model address announcing more than 50 MB is refused before it downloads', async ({
	page
}) => {
	test.setTimeout(90_000);
	const avatar = await openDemo(page, `&avatar=${encodeURIComponent(`${filesUrl}/huge.glb`)}`);
	await expect(page.getByTestId('avatar-message')).toHaveText(
		'huge.glb could not be loaded: This model is 60.0 MB; the limit is 50.0 MB. Choose a smaller file. The built-in head stays.'
	);
	await expectModel(avatar, 'builtin');
});

/** Heap snapshot node types that are JavaScript values (a model's scene graph, JSON, names). */
const JS_VALUES = new Set([
	'object',
	'closure',
	'string',
	'concatenated string',
	'sliced string',
	'number',
	'symbol',
	'regexp'
]);

/**
 * The page's heap after GC, from a heap snapshot: JavaScript values, Blink's native objects, and
 * V8's compiled code, type feedback and hidden classes (which grow as more paths get optimised:
 * not memory left behind); plus the ArrayBuffer backing stores (geometry, textures, file bytes)
 * from Runtime.getHeapUsage.
 */
async function heapBytes(
	cdp: CDPSession
): Promise<{ values: number; native: number; engine: number; buffers: number }> {
	await cdp.send('HeapProfiler.collectGarbage');
	await cdp.send('HeapProfiler.collectGarbage');
	const chunks: string[] = [];
	const collect = (event: { chunk: string }) => chunks.push(event.chunk);
	cdp.on('HeapProfiler.addHeapSnapshotChunk', collect);
	await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
	cdp.off('HeapProfiler.addHeapSnapshotChunk', collect);
	const snapshot = JSON.parse(chunks.join('')) as {
		snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
		nodes: number[];
	};
	const fields = snapshot.snapshot.meta.node_fields;
	const types = snapshot.snapshot.meta.node_types[0];
	const typeAt = fields.indexOf('type');
	const sizeAt = fields.indexOf('self_size');
	const bytes = { values: 0, native: 0, engine: 0, buffers: 0 };
	for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
		const size = snapshot.nodes[i + sizeAt]!;
		const type = types[snapshot.nodes[i + typeAt]!]!;
		if (JS_VALUES.has(type)) bytes.values += size;
		else if (type === 'native') bytes.native += size;
		else bytes.engine += size;
	}
	const usage = (await cdp.send('Runtime.getHeapUsage')) as { backingStorageSize?: number };
	bytes.buffers = usage.backingStorageSize ?? Number.NaN;
	return bytes;
}

test('switching avatars ten times leaves no GPU or JS memory behind', async ({ page }) => {
	test.setTimeout(300_000);
	const avatar = await openDemo(page);
	const gpu = async () => ({
		geometries: Number(await avatar.getAttribute('data-gpu-geometries')),
		textures: Number(await avatar.getAttribute('data-gpu-textures'))
	});
	const cdp = await page.context().newCDPSession(page);
	const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
	const backToBaseline = () => expect.poll(gpu, { timeout: 20_000 }).toEqual(baseline);
	const switchOnce = async (round: number) => {
		await choose(page, `round-${round}.glb`, glb);
		await expectModel(avatar, 'glb');
		await choose(page, `round-${round}.vrm`, vrm);
		await expectModel(avatar, 'vrm');
		await page.getByTestId('avatar-default').click();
		await expectModel(avatar, 'builtin');
		await backToBaseline();
	};

	await expect(avatar).toHaveAttribute('data-gpu-geometries', /^[1-9]/);
	const baseline = await gpu();
	// One round first, so that code and caches loaded once do not count as growth.
	await switchOnce(0);
	const before = await heapBytes(cdp);
	// Control: a model on screen shows in every measure, so a model left behind would too.
	await choose(page, 'control.glb', glb);
	await expectModel(avatar, 'glb');
	await expect.poll(async () => (await gpu()).geometries).toBeGreaterThan(baseline.geometries);
	await expect.poll(async () => (await gpu()).textures).toBeGreaterThan(baseline.textures);
	const shown = await heapBytes(cdp);
	const model = { values: shown.values - before.values, buffers: shown.buffers - before.buffers };
	expect(model.values).toBeGreaterThan(50 * 1024);
	expect(model.buffers).toBeGreaterThan(100 * 1024);
	await page.getByTestId('avatar-default').click();
	await backToBaseline();

	for (let round = 1; round <= 10; round++) await switchOnce(round);
	const after = await heapBytes(cdp);
	const left = { values: after.values - before.values, buffers: after.buffers - before.buffers };
	console.log(
		`one GLB shown: +${kb(model.values)} JS values, +${kb(model.buffers)} array buffers, ` +
			`+${kb(shown.native - before.native)} native; after 10 switches (GLB, VRM, default): ` +
			`${kb(left.values)} JS values, ${kb(left.buffers)} array buffers, ` +
			`${kb(after.native - before.native)} native, ${kb(after.engine - before.engine)} code, feedback and hidden classes`
	);
	// Twenty models were loaded and let go: not even a quarter of one may remain.
	expect(left.values).toBeLessThan(model.values / 4);
	expect(left.buffers).toBeLessThan(model.buffers / 4);
});
