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

// The restart storm's floor (bench/restart-storm.ts): SIGHUP closes every socket with 1012 and
// the server stays up, at Talkline's handover pace (HANDOVER_CLOSE_RATE, 3,000 a second, a
// group every 50 ms, as src/lib/server/talkline-core.ts): as fast as the same clients could
// come back from a reload.
const closeRate = Number(process.env.HANDOVER_CLOSE_RATE ?? 3_000);
const everyMs = closeRate > 0 ? Math.max(50, 1000 / closeRate) : 0;
process.on('SIGHUP', () => {
	const sockets = [...wss.clients];
	const group = closeRate > 0 ? Math.round((closeRate * everyMs) / 1000) : sockets.length;
	const closeGroup = (from: number) => {
		for (const ws of sockets.slice(from, from + group)) ws.close(1012, 'service restart');
		if (from + group < sockets.length) setTimeout(closeGroup, everyMs, from + group);
		else process.stdout.write(`${JSON.stringify({ event: 'server.closed', time: Date.now() })}\n`);
	};
	closeGroup(0);
});
