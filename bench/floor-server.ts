/**
 * The floor of the capacity benchmark: a bare `ws` server doing only the work every Talkline
 * connection must do at idle. It greets each socket with a `connected` message and sends it a
 * JSON `ping` every PING_INTERVAL_MS (10 s), one `setInterval` per socket, the way a server
 * written in an afternoon would; it reads the clients' answers and does nothing with them. No
 * store, no sessions, no logging per connection. Run by ./bench-server.ts with the same probe
 * and the same tsx loader as the real server, so that the two are measured alike.
 *
 * Speaks just enough of scripts/serve.ts's interface for support/server-process.ts: the
 * `server.listening` log line with the port, and `GET /healthz` with the connection count.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const pingIntervalMs = Number(process.env.PING_INTERVAL_MS ?? 10_000);
const wss = new WebSocketServer({ noServer: true });

const server = http.createServer((req, res) => {
	if (req.url === '/healthz') {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ ok: true, connections: wss.clients.size }));
		return;
	}
	res.writeHead(404).end();
});

server.on('upgrade', (req, socket, head) => {
	socket.on('error', () => socket.destroy());
	const clientId = decodeURIComponent((req.url ?? '').slice('/ws/'.length));
	wss.handleUpgrade(req, socket, head, (ws) => greet(ws, clientId));
});

function greet(ws: WebSocket, clientId: string): void {
	ws.on('error', () => ws.terminate());
	ws.send(
		JSON.stringify({
			type: 'connected',
			clientId,
			sessionId: randomUUID(),
			serverTime: Date.now(),
			pingIntervalMs
		})
	);
	const pinger = setInterval(
		() => ws.send(JSON.stringify({ type: 'ping', ts: Date.now() })),
		pingIntervalMs
	);
	ws.on('close', () => clearInterval(pinger));
}

// The same accept backlog as Talkline's (LISTEN_BACKLOG in src/lib/server/http-server.ts): the
// benchmark keeps 600 handshakes in flight, and Node's 511 may overflow under them; the ratio is
// meant to compare the work per connection, not a setting of the kernel's.
const port = Number(process.env.PORT ?? 0);
server.listen({ port, host: process.env.HOST ?? '127.0.0.1', backlog: 4096 }, () => {
	const { port: bound } = server.address() as AddressInfo;
	process.stdout.write(`${JSON.stringify({ event: 'server.listening', port: bound })}\n`);
});
process.once('SIGTERM', () => process.exit(0));
