/**
 * The avatar's frame rate with a loaded model, beside the built-in head's (browser-frames.ts):
 * the test GLB of support/avatar-files.ts, served by a small HTTP server here and loaded
 * through `?avatar=` in a fresh context, measured idle and while speaking like the built-in head.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from '@playwright/test';
import { makeTestGlb } from '../support/avatar-files';
import { headFrames, inFreshPage, type HeadFrames } from './browser-frames';

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

/** Serves the test GLB for as long as `use` runs; `use` gets its address and size. */
export async function withTestGlb<T>(use: (url: string, bytes: number) => Promise<T>): Promise<T> {
	const glb = await makeTestGlb();
	const { server, url } = await serveModel(glb);
	try {
		return await use(url, glb.length);
	} finally {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	}
}

/** Frame rates with the test GLB (served at `modelUrl`) shown. */
export function modelFrames(
	browser: Browser,
	baseUrl: string,
	modelUrl: string,
	windowMs: number
): Promise<HeadFrames> {
	const address = encodeURIComponent(modelUrl);
	return inFreshPage(browser, `${baseUrl}/?clientId=bench-frames-glb&avatar=${address}`, (page) =>
		headFrames(page, windowMs, 'glb')
	);
}
