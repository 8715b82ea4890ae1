/**
 * Runs the built app: one Node process serves the SvelteKit build and (once the server lands)
 * the WebSocket endpoint. `npm start` builds first when needed; this file only serves.
 */
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const port = Number(process.env.PORT ?? 8000);
const host = process.env.HOST ?? '0.0.0.0';

const handlerUrl = pathToFileURL(path.resolve('build/handler.js')).href;
const { handler } = (await import(handlerUrl)) as {
	handler: (req: http.IncomingMessage, res: http.ServerResponse, next?: () => void) => void;
};

const server = http.createServer((req, res) => {
	if (req.url === '/healthz') {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ ok: true, connections: 0 }));
		return;
	}
	handler(req, res);
});

server.listen(port, host, () => {
	console.log(`Talkline listening on http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`);
});
