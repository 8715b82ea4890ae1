/**
 * Benchmark options from the command line (`npm run bench -- --quick --clients 2000`) and the
 * environment (BENCH_QUICK, BENCH_CLIENTS, BENCH_CHATS, BENCH_ONLY); flags win.
 */
import { parseArgs } from 'node:util';

export const BENCH_NAMES = ['startup', 'capacity', 'storm', 'chat', 'failover', 'browser'] as const;
export type BenchName = (typeof BENCH_NAMES)[number];

export interface BenchOptions {
	/** Smaller numbers and shorter windows, for a run of a minute or two while developing. */
	quick: boolean;
	/** Idle connections (capacity, chat) and machine actors (storm). */
	clients: number;
	/** Concurrent streamed replies in the chat benchmark. */
	chats: number;
	/** The benchmarks to run, in the order of BENCH_NAMES. */
	only: BenchName[];
	/** How long the capacity benchmark holds the idle clients (CPU window + ping gaps). */
	holdMs: number;
	/** Longest wait for every storm client to be back before reporting the rest as missing. */
	stormTimeoutMs: number;
}

/** One server process holds every connection, and a process may have 20,000 open files here. */
export const MAX_CLIENTS = 18_000;

const DEFAULTS = { clients: 10_000, chats: 500, holdMs: 25_000, stormTimeoutMs: 60_000 };
const QUICK = { clients: 2_000, chats: 100, holdMs: 21_000, stormTimeoutMs: 30_000 };

/** Parses flags (node:util parseArgs) and environment; throws on a value it cannot use, naming it. */
export function parseOptions(
	argv: readonly string[] = process.argv.slice(2),
	env: Record<string, string | undefined> = process.env
): BenchOptions {
	let flags: { quick?: boolean; clients?: string; chats?: string; only?: string };
	try {
		flags = parseArgs({
			args: [...argv],
			options: {
				quick: { type: 'boolean' },
				clients: { type: 'string' },
				chats: { type: 'string' },
				only: { type: 'string' }
			},
			strict: true,
			allowPositionals: false
		}).values;
	} catch (error) {
		throw new Error(`bench: ${error instanceof Error ? error.message : String(error)}`);
	}

	const quick = flags.quick ?? isTrue(env.BENCH_QUICK);
	const base = quick ? QUICK : DEFAULTS;
	const clients = count('clients', flags.clients ?? env.BENCH_CLIENTS, base.clients);
	if (clients > MAX_CLIENTS) {
		throw new Error(`bench: at most ${MAX_CLIENTS} clients (one server process, 20,000 files)`);
	}
	const chats = count('chats', flags.chats ?? env.BENCH_CHATS, base.chats);
	if (chats > clients) throw new Error(`bench: --chats (${chats}) exceeds --clients (${clients})`);
	return {
		quick,
		clients,
		chats,
		only: names(flags.only ?? env.BENCH_ONLY),
		holdMs: base.holdMs,
		stormTimeoutMs: base.stormTimeoutMs
	};
}

function isTrue(value: string | undefined): boolean {
	return value !== undefined && !['', '0', 'false', 'no'].includes(value.toLowerCase());
}

function count(name: string, value: string | undefined, fallback: number): number {
	if (value === undefined || value === '') return fallback;
	const parsed = Number(value);
	if (!Number.isInteger(parsed) || parsed < 1) {
		throw new Error(`bench: ${name} must be a whole number >= 1, got "${value}"`);
	}
	return parsed;
}

function names(value: string | undefined): BenchName[] {
	if (value === undefined || value === '') return [...BENCH_NAMES];
	const wanted = value.split(',').map((name) => name.trim());
	for (const name of wanted) {
		if (!(BENCH_NAMES as readonly string[]).includes(name)) {
			throw new Error(`bench: unknown benchmark "${name}" (known: ${BENCH_NAMES.join(', ')})`);
		}
	}
	return BENCH_NAMES.filter((name) => wanted.includes(name));
}
