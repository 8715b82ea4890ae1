/**
 * Connect/disconnect cycles of the page's own connection actor in Chromium, by clicking the
 * page's connection button: the page's JS heap after GC before, during and after, the most
 * WebSocket objects alive at once in the page, and the most connections the server held at once.
 */
import type { Browser, CDPSession } from '@playwright/test';
import { installProbe, probeCycles, probeReport, type ProbeReport } from './browser-probe';
import type { ServerProcess } from '../support/server-process';
import { sleep } from './wait';

export interface CycleResult {
	/** Cycles asked for and cycles run (fewer when the time limit ended the run). */
	wanted: number;
	done: number;
	ms: number;
	/** Used JS heap after a forced GC, in bytes, at 0 cycles and at each checkpoint. */
	heap: { cycles: number; bytes: number }[];
	probe: ProbeReport;
	/** Most `connections` /healthz reported while the cycles ran, and how often it was read. */
	serverMax: number;
	serverSamples: number;
	/** Samples in which /healthz counted more than one connection. */
	serverOverOne: number;
}

/** Cycles per page.evaluate; the heap is read after GC every CHECKPOINT cycles. */
const BATCH = 25;
const CHECKPOINT = 250;
/** Whatever `wanted` is, at least this many cycles run before the time limit may end the run. */
export const MIN_CYCLES = 200;

export async function runCycles(
	browser: Browser,
	server: ServerProcess,
	wanted: number,
	timeLimitMs: number,
	log: (line: string) => void
): Promise<CycleResult> {
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		await installProbe(page);
		await page.goto(`${server.url}/?clientId=bench-cycles`);
		await page.locator('[data-testid=connection-badge][data-state=open]').waitFor();
		// The avatar loads lazily and allocates as it starts; let it settle before the baseline.
		await page
			.locator('[data-testid=avatar]:not([data-avatar-status=loading])')
			.waitFor({ timeout: 60_000 });
		await sleep(1_000);
		const cdp = await context.newCDPSession(page);
		const heap = [{ cycles: 0, bytes: await heapAfterGc(cdp) }];

		let serverMax = 0;
		let serverSamples = 0;
		let serverOverOne = 0;
		let sampling = true;
		const sampler = (async () => {
			while (sampling) {
				const connections = await serverConnections(server.url);
				serverMax = Math.max(serverMax, connections);
				serverSamples += 1;
				if (connections > 1) serverOverOne += 1;
				await sleep(10);
			}
		})();

		const from = Date.now();
		let done = 0;
		try {
			while (done < wanted) {
				if (done >= MIN_CYCLES && Date.now() - from > timeLimitMs) break;
				const n = Math.min(BATCH, wanted - done);
				await probeCycles(page, n);
				done += n;
				if (done % CHECKPOINT === 0 || done === wanted) {
					heap.push({ cycles: done, bytes: await heapAfterGc(cdp) });
					log(`browser: ${done} cycles, ${((Date.now() - from) / 1000).toFixed(0)} s`);
				}
			}
		} finally {
			sampling = false;
			await sampler;
		}
		const ms = Date.now() - from;
		if (heap.at(-1)?.cycles !== done) heap.push({ cycles: done, bytes: await heapAfterGc(cdp) });
		return {
			wanted,
			done,
			ms,
			heap,
			probe: await probeReport(page),
			serverMax,
			serverSamples,
			serverOverOne
		};
	} finally {
		await context.close();
	}
}

/** The page's used JS heap in bytes after two forced garbage collections. */
async function heapAfterGc(cdp: CDPSession): Promise<number> {
	await cdp.send('HeapProfiler.collectGarbage');
	await cdp.send('HeapProfiler.collectGarbage');
	const usage = await cdp.send('Runtime.getHeapUsage');
	return usage.usedSize;
}

async function serverConnections(baseUrl: string): Promise<number> {
	const response = await fetch(`${baseUrl}/healthz`);
	const health = (await response.json()) as { connections?: number };
	return health.connections ?? 0;
}
