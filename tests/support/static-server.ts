/**
 * A static file host for tests, as Vercel or any web server serves `npm run build:static`'s
 * output: files as they are, `index.html` for every path that is not a file (the client router
 * takes it from there), and nothing else (no `/ws`, no `/healthz`).
 *
 * ```ts
 * const host = await startStaticServer('build-static');
 * // host.url -> 'http://127.0.0.1:40123'
 * await host.close();
 * ```
 */
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.woff2': 'font/woff2'
};

export interface StaticServer {
	readonly url: string;
	readonly port: number;
	close(): Promise<void>;
}

export async function startStaticServer(folder: string, port = 0): Promise<StaticServer> {
	const root = path.resolve(folder);
	const server = http.createServer((req, res) => {
		const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://host').pathname);
		let file = path.join(root, pathname);
		if (!file.startsWith(root) || !isFile(file)) file = path.join(root, 'index.html');
		res.writeHead(200, {
			'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream'
		});
		createReadStream(file).pipe(res);
	});
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	const bound = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${bound}`,
		port: bound,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}

function isFile(file: string): boolean {
	try {
		return statSync(file).isFile();
	} catch {
		return false;
	}
}
