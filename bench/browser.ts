/**
 * The browser benchmark (`npm run bench -- --only browser`): the built talk page in headless
 * Chromium against one real server process. Connect/disconnect cycles of the page's actor (heap,
 * sockets at once), time from navigation to `open`, JavaScript before the avatar, and the
 * avatar's frame rate. Needs `npm run build` first (it serves build/handler.js).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { chromiumArgs, findChromium } from '../support/chromium';
import { startServerProcess } from '../support/server-process';
import type { BenchModule } from './bench-module';
import { copyBuild } from './browser-build';
import { runCycles } from './browser-cycles';
import { avatarFrames } from './browser-frames';
import { modelFrames, withTestGlb } from './browser-model-frames';
import { coldLoads, pageBytes, warmLoads } from './browser-loads';
import {
	bytesRows,
	cycleRows,
	frameRows,
	loadRows,
	modelFrameRows,
	type Section
} from './browser-rows';
import type { BenchOptions } from './options';
import type { Table } from './table';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FULL = { cycles: 1_000, loads: 10, frameWindowMs: 5_000 };
const QUICK = { cycles: 200, loads: 5, frameWindowMs: 5_000 };
/** Clicking stops after this long (once at least MIN_CYCLES ran); the table says so. */
const CYCLE_TIME_LIMIT_MS = 180_000;

async function run(options: BenchOptions, log: (line: string) => void): Promise<Table> {
	const size = options.quick ? QUICK : FULL;
	const title = `Browser: the built talk page in headless Chromium${options.quick ? ' (quick run)' : ''}`;
	const build = copyBuild(root);
	if (!build) {
		return {
			title,
			rows: [{ figure: 'not run', value: 'build/handler.js is missing: run npm run build first' }],
			notes: []
		};
	}
	let browser: Browser | undefined;
	const server = await startServerProcess({ cwd: build.dir }).catch((error: unknown) => {
		build.remove();
		throw error;
	});
	try {
		const launched = await chromium.launch({ executablePath: findChromium(), args: chromiumArgs });
		browser = launched;
		const version = launched.version();
		log(
			`browser: Chromium ${version}, server at ${server.url}, build of ${build.builtAt.toISOString()}`
		);
		log(`browser: ${size.cycles} connect/disconnect cycles`);
		const cycles = await runCycles(launched, server, size.cycles, CYCLE_TIME_LIMIT_MS, log);
		log(`browser: ${size.loads} cold and ${size.loads} warm page loads`);
		const cold = await coldLoads(launched, server.url, size.loads);
		const warm = await warmLoads(launched, server.url, size.loads);
		const measured = await withTestGlb(async (modelUrl, glbBytes) => {
			log('browser: script bytes, without and with a model asked for (?avatar=)');
			const page = await pageBytes(launched, server.url);
			const withModel = await pageBytes(launched, server.url, modelUrl);
			log('browser: avatar frame rate');
			const frames = await avatarFrames(launched, server.url, size.frameWindowMs);
			log('browser: avatar frame rate with the test GLB');
			const model = await modelFrames(launched, server.url, modelUrl, size.frameWindowMs);
			return { page, withModel, frames, model: { ...model, bytes: glbBytes } };
		});
		const { page, withModel, frames, model } = measured;
		const sections: Section[] = [
			cycleRows(cycles),
			loadRows(cold, warm),
			bytesRows(page, withModel),
			frameRows(frames),
			modelFrameRows(model)
		];
		return {
			title: `${title}, Chromium ${version}, build of ${build.builtAt.toISOString().slice(0, 16)}Z`,
			rows: sections.flatMap((section) => section.rows),
			notes: sections.flatMap((section) => section.notes)
		};
	} finally {
		await browser?.close();
		await server.stop();
		build.remove();
	}
}

const browserBench: BenchModule = { run };
export default browserBench;
