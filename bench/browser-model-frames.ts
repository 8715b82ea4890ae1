/**
 * The avatar's frame rate with a loaded model, beside the built-in head's (browser-frames.ts):
 * the test GLB of tests/support/avatar-files.ts, served by a small HTTP server here and loaded
 * through `?avatar=` in a fresh context, measured idle and while speaking like the built-in head.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from '@playwright/test';
import { makeTestGlb } from '../tests/support/avatar-files';
import { installProbe, probeFrames, type FrameSample } from './browser-probe';
import { sleep } from './wait';

/** One head's frame rates. */
export interface HeadFrames {
	/** data-avatar-status once loaded, plus the model kind shown (`ready, glb`). */
	avatarStatus: string;
	idle: FrameSample | null;
	speaking: FrameSample | null;
	/** Why the speaking sample is missing, when it is. */
	speakingProblem: string | null;
}

/** A question the local brain answers at length, so the avatar speaks for several seconds. */
const QUESTION = 'Who are you?';

async function measure(
	browser: Browser,
	url: string,
	model: 'builtin' | 'glb',
	windowMs: number
): Promise<HeadFrames> {
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		await installProbe(page);
		await page.goto(url);
		await page.locator('[data-testid=connection-badge][data-state=open]').waitFor();
		const avatar = page.getByTestId('avatar');
		await page
			.locator('[data-testid=avatar]:not([data-avatar-status=loading])')
			.waitFor({ timeout: 60_000 });
		let avatarStatus = (await avatar.getAttribute('data-avatar-status')) ?? '';
		if (avatarStatus !== 'ready') {
			return { avatarStatus, idle: null, speaking: null, speakingProblem: null };
		}
		try {
			await page
				.locator(`[data-testid=avatar][data-avatar-model=${model}]`)
				.waitFor({ timeout: 60_000 });
		} catch {
			const message = await page.getByTestId('avatar-message').textContent();
			return {
				avatarStatus: `${model} not shown: ${message ?? 'no message'}`,
				idle: null,
				speaking: null,
				speakingProblem: null
			};
		}
		avatarStatus = `${avatarStatus}, ${model}`;
		await sleep(1_000);
		const idle = await probeFrames(page, windowMs, false);

		const input = page.getByTestId('chat-input');
		await input.fill(QUESTION);
		await input.press('Enter');
		try {
			await page.locator('[data-testid=avatar][data-speaking=true]').waitFor({ timeout: 20_000 });
		} catch {
			return { avatarStatus, idle, speaking: null, speakingProblem: 'never started speaking' };
		}
		const speaking = await probeFrames(page, windowMs, true);
		return { avatarStatus, idle, speaking, speakingProblem: null };
	} finally {
		await context.close();
	}
}

/** Serves `body` at /test.glb to any origin; resolves with its address. */
function serveModel(body: Buffer): Promise<{ server: Server; url: string }> {
	const server = createServer((request, response) => {
		if (request.url !== '/test.glb') {
			response.writeHead(404).end();
			return;
		}
		response.writeHead(200, {
			'access-control-allow-origin': '*',
			'content-type': 'model/gltf-binary',
			'content-length': body.length
		});
		response.end(body);
	});
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () =>
			resolve({
				server,
				url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/test.glb`
			})
		)
	);
}

/** Frame rates with the test GLB shown; `bytes` is the GLB's size. */
export async function modelFrames(
	browser: Browser,
	baseUrl: string,
	windowMs: number
): Promise<HeadFrames & { bytes: number }> {
	const glb = await makeTestGlb();
	const { server, url } = await serveModel(glb);
	try {
		const address = encodeURIComponent(url);
		const frames = await measure(
			browser,
			`${baseUrl}/?clientId=bench-frames-glb&avatar=${address}`,
			'glb',
			windowMs
		);
		return { ...frames, bytes: glb.length };
	} finally {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	}
}
