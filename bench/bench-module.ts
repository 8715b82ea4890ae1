/**
 * What every benchmark provides to bench/run.ts, which lists them all.
 *
 * ```ts
 * import type { BenchModule } from './bench-module';
 * const browser: BenchModule = { async run(options, log) { …; return { title, rows, notes }; } };
 * export default browser;
 * ```
 */
import type { BenchOptions } from './options';
import type { Table } from './table';

export interface BenchModule {
	/** Runs the benchmark with the parsed options; `log` prints progress to stderr. */
	run(options: BenchOptions, log: (line: string) => void): Promise<Table | Table[]>;
}
