/**
 * The deadline for a connection's first request headers (slowloris, issue 11), measured on a
 * clock that does not count time the event loop spent stalled (issue 17).
 *
 * Why not Node's `headersTimeout`: Node stamps a connection when it accepts it and checks on a
 * timer. In a restart storm the server accepts thousands at once, then the loop is busy for
 * seconds with handshakes; when it comes back, timers run before the poll phase reads the
 * requests already waiting in the kernel, so Node answered 408 to clients that had sent
 * everything in time. Here the clock advances by at most one tick per tick: a stall costs a
 * client one tick at most, and the poll phase that follows reads its request first.
 */
import type { Socket } from 'node:net';

export class HeaderDeadlines {
	/** Milliseconds of time the loop was free to serve us, since construction. */
	private effectiveMs = 0;
	private lastTick = performance.now();
	/** Connections still waiting for their first headers, with their effective start. */
	private readonly waiting = new Map<Socket, number>();
	private readonly tickMs: number;
	private readonly timer: NodeJS.Timeout;
	/** One close listener for every socket (`this` is the socket): no closure per connection. */
	private readonly forget: (this: Socket) => void;

	constructor(
		private readonly timeoutMs: number,
		private readonly onExpired: (socket: Socket) => void
	) {
		this.tickMs = Math.max(1, Math.min(1_000, timeoutMs));
		this.timer = setInterval(() => this.tick(), this.tickMs);
		this.timer.unref();
		const { waiting } = this;
		this.forget = function (this: Socket) {
			waiting.delete(this);
		};
	}

	/** Starts the deadline of a connection just accepted. */
	arm(socket: Socket): void {
		if (this.timeoutMs <= 0) return;
		this.waiting.set(socket, this.now());
		socket.on('close', this.forget);
	}

	/** Its headers are complete (a request or an upgrade was emitted). */
	disarm(socket: Socket): void {
		if (this.waiting.delete(socket)) socket.removeListener('close', this.forget);
	}

	close(): void {
		clearInterval(this.timer);
		this.waiting.clear();
	}

	private now(): number {
		return this.effectiveMs + Math.min(performance.now() - this.lastTick, this.tickMs);
	}

	private tick(): void {
		this.effectiveMs = this.now();
		this.lastTick = performance.now();
		for (const [socket, start] of this.waiting) {
			if (this.effectiveMs - start <= this.timeoutMs) continue;
			this.waiting.delete(socket);
			this.onExpired(socket);
		}
	}
}
