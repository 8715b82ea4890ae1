/**
 * `npm run bench`: runs the benchmarks one after another and prints a table for each. Figures
 * only: nothing here passes or fails; each figure is printed next to the target.
 *
 *   npm run bench                         # every benchmark, full size (10,000 clients)
 *   npm run bench -- --quick              # 2,000 clients, shorter windows
 *   npm run bench -- --only capacity --clients 18000
 *   BENCH_CLIENTS=5000 BENCH_CHATS=200 npm run bench
 *
 * Each benchmark is a `BenchModule` (./bench-module.ts); the browser one (./browser.ts) runs last,
 * after the server benchmarks, with the same options.
 */
import os from 'node:os';
import browser from './browser';
import { runCapacity } from './capacity';
import { runChat } from './chat-stream';
import { runFailover } from './failover';
import { runStorm } from './restart-storm';
import { runStartup } from './startup';
import type { BenchModule } from './bench-module';
import { parseOptions, type BenchName } from './options';
import { formatTable } from './table';

const log = (line: string) =>
	console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

const benchmarks: Record<BenchName, BenchModule> = {
	startup: { run: runStartup },
	capacity: { run: runCapacity },
	storm: { run: runStorm },
	chat: { run: runChat },
	failover: { run: runFailover },
	browser
};

const loadAverage = () =>
	os
		.loadavg()
		.map((value) => value.toFixed(2))
		.join(', ');

async function main(): Promise<void> {
	const options = parseOptions();
	const started = Date.now();
	console.log(
		`Talkline benchmarks, ${new Date().toISOString()}: ${os.cpus().length} CPUs, ` +
			`${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, Node ${process.version}, ` +
			`Linux ${os.release()}; ${options.quick ? 'quick' : 'full'} run, ${options.clients} clients; ` +
			`load average ${loadAverage()} (other work on the machine shares its CPUs)\n`
	);
	for (const name of options.only) {
		const bench = benchmarks[name];
		const from = Date.now();
		const tables = await bench.run(options, log);
		for (const table of [tables].flat()) console.log(`${formatTable(table)}\n`);
		log(`${name} took ${((Date.now() - from) / 1000).toFixed(0)} s`);
	}
	console.log(
		`All benchmarks took ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${loadAverage()}.`
	);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
