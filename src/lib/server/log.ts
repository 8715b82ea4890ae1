/** Structured logs (pino): JSON lines on stdout, one per connection opened and closed. */
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * A logger at `level`, writing JSON lines to stdout (or to `destination`, for tests).
 *
 * Stdout is written asynchronously: while one write is on its way, the lines that follow wait
 * and go out together in the next one, so thousands of clients reconnecting at once cost a few
 * writes instead of one system call per line. A quiet server still writes each line at once, and
 * pino writes what is left synchronously when the process exits.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
	const options = { level, base: { service: 'talkline' } };
	return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
