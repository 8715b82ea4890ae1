/**
 * One HTTP server for everything: `GET /healthz`, `GET /metrics`, the WebSocket endpoint
 * `/ws/:clientId`, and
 * every other request to the app handler (SvelteKit's adapter-node handler in production; none
 * in the server tests). Other upgrade paths are refused with 404.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ConnectionLimits, refuseConnection } from './connection-limits';
import { HeaderDeadlines } from './header-deadline';
import { isHostAllowed } from './origin';
import { isMetricsPath, serveMetrics } from './metrics-endpoint';
import {
	createTalklineCore,
	type CloseOptions,
	type TalklineCore,
	type TalklineOptions
} from './talkline-core';
import { abortHandshake } from './upgrade';

/** A Connect-style handler, as adapter-node's `handler` is. */
export type AppHandler = (
	req: http.IncomingMessage,
	res: http.ServerResponse,
	next: () => void
) => void;

export interface TalklineServerOptions extends TalklineOptions {
	/** Serves every request that is not `/healthz`; without it they get 404. */
	handler?: AppHandler;
}

export interface TalklineServer {
	readonly httpServer: http.Server;
	readonly core: TalklineCore;
	/** Starts listening (defaults: the configured port and host); resolves with the bound port. */
	listen(port?: number, host?: string): Promise<{ port: number; host: string }>;
	/**
	 * Stops accepting, closes every socket with 1012 (paced when handing over to another worker),
	 * then the HTTP server. Safe to call twice.
	 */
	close(options?: CloseOptions): Promise<void>;
}

/**
 * Connections the kernel may hold for us before we accept them (capped by net.core.somaxconn).
 * Node's default, 511, overflowed when thousands of clients came back at once after a restart:
 * the kernel dropped their SYNs, and each waited a second or more to retransmit.
 */
const LISTEN_BACKLOG = 4096;

/** Builds the HTTP + WebSocket server. Call `listen()` to start it. */
export function createTalklineServer(options: TalklineServerOptions = {}): TalklineServer {
	const core = createTalklineCore(options);
	const { config, log } = core;
	const httpServer = http.createServer(
		{
			// A slow client (headers or body dripping in) is answered 408 and closed after
			// requestTimeout, checked every second (Node's default check runs every 30 s). The
			// first headers have their own, shorter deadline that a stalled loop does not eat
			// (HeaderDeadlines below); Node's header check stays only as the outer bound.
			headersTimeout: config.requestTimeoutMs,
			requestTimeout: config.requestTimeoutMs,
			connectionsCheckingInterval: 1_000
		},
		(req, res) => {
			headerDeadlines.disarm(req.socket);
			if (REFUSED.has(req.socket)) return; // answered 503 and closing
			if (!isHostAllowed(req.headers.host, config)) return misdirected(res);
			if (req.url === '/healthz' || req.url?.startsWith('/healthz?')) return sendHealth(core, res);
			if (isMetricsPath(req.url)) return serveMetrics(req, res, config.metricsToken);
			if (!options.handler) return notFound(res);
			options.handler(req, res, () => notFound(res));
		}
	);
	httpServer.keepAliveTimeout = config.keepAliveTimeoutMs;
	const headerDeadlines = new HeaderDeadlines(config.headersTimeoutMs, (socket) => {
		// bytesRead 0: the client connected and never wrote (or its own loop was stalled).
		log.warn(
			{
				event: 'connection.headers_timeout',
				remote: socket.remoteAddress,
				bytesRead: socket.bytesRead
			},
			'request headers took too long'
		);
		abortHandshake(socket, 408, 'Request headers took too long');
	});
	httpServer.on('connection', (socket: Socket) => headerDeadlines.arm(socket));
	// Runs before Node's own listener: a connection over a cap never reaches the HTTP parser's
	// handlers (they see a socket already ending, and the upgrade handler below skips it).
	const limits = new ConnectionLimits(config);
	httpServer.prependListener('connection', (socket: Socket) => {
		const refused = limits.admit(socket);
		if (!refused) return;
		REFUSED.add(socket);
		log.warn(
			{ event: 'connection.refused', remote: socket.remoteAddress, reason: refused },
			'connection refused'
		);
		refuseConnection(socket, refused);
	});
	httpServer.on('upgrade', (req, socket, head) => {
		headerDeadlines.disarm(socket as Socket);
		if (REFUSED.has(socket as Socket)) return;
		if (!core.handleUpgrade(req, socket, head)) abortHandshake(socket, 404, 'Not found');
	});
	let closing: Promise<void> | undefined;

	return {
		httpServer,
		core,
		listen(port = config.port, host = config.host) {
			return new Promise((resolve, reject) => {
				httpServer.once('error', reject);
				httpServer.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
					httpServer.off('error', reject);
					const address = httpServer.address() as AddressInfo;
					log.info({ event: 'server.listening', port: address.port, host }, 'listening');
					resolve({ port: address.port, host });
				});
			});
		},
		close(options) {
			closing ??= (async () => {
				const stopped = new Promise<void>((resolve) =>
					httpServer.listening ? httpServer.close(() => resolve()) : resolve()
				);
				headerDeadlines.close();
				httpServer.closeIdleConnections();
				await core.close(options);
				httpServer.closeAllConnections();
				await stopped;
			})();
			return closing;
		}
	};
}

function sendHealth(core: TalklineCore, res: http.ServerResponse): void {
	const health = core.health();
	res.writeHead(health.ok ? 200 : 503, {
		'content-type': 'application/json',
		'cache-control': 'no-store'
	});
	res.end(JSON.stringify(health));
}

/** Connections refused by a cap: the HTTP parser may still see their request; nothing answers it. */
const REFUSED = new WeakSet<Socket>();

function misdirected(res: http.ServerResponse): void {
	res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' });
	res.end('Misdirected request: this server does not answer for that Host\n');
}

function notFound(res: http.ServerResponse): void {
	res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
	res.end('Not found\n');
}
