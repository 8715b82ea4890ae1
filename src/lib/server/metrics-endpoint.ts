/**
 * `GET /metrics`: the Prometheus text of ./metrics, behind a bearer token when METRICS_TOKEN is
 * set (compared in constant time). Used by the production HTTP server and the dev plugin alike.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { metricsText } from './metrics';

/** Whether a request is for the metrics endpoint. */
export function isMetricsPath(url: string | undefined): boolean {
	const path = (url ?? '').split('?', 1)[0];
	return path === '/metrics';
}

/** Answers a `/metrics` request: 401 without the right token (when one is set), else the text. */
export function serveMetrics(req: IncomingMessage, res: ServerResponse, token: string): void {
	if (token && !hasBearer(req.headers.authorization, token)) {
		res.writeHead(401, {
			'content-type': 'text/plain; charset=utf-8',
			'www-authenticate': 'Bearer realm="metrics"'
		});
		res.end('A bearer token is needed for /metrics\n');
		return;
	}
	metricsText().then(
		({ contentType, body }) => {
			res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
			res.end(body);
		},
		(error: unknown) => {
			res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
			res.end(`Metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
		}
	);
}

function hasBearer(header: string | undefined, token: string): boolean {
	const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
	if (!match) return false;
	const digest = (text: string) => createHash('sha256').update(text).digest();
	return timingSafeEqual(digest((match[1] as string).trim()), digest(token));
}
