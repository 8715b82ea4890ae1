/** Structured logs (pino): JSON lines on stdout, one per connection opened and closed. */
import { pino, type Logger } from 'pino';

export type { Logger };

/** A logger at `level`, writing JSON lines to stdout (or to `destination`, for tests). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
	const options = { level, base: { service: 'talkline' } };
	return destination ? pino(options, destination) : pino(options);
}
