/**
 * Client worker processes for the benchmarks. Each worker is a Node process (running a worker
 * script of this folder through tsx) that binds its sockets to its own loopback address
 * (127.a.b.10, .11, …, with a and b new for each fleet), so every worker has the whole ephemeral
 * port range to itself, and holds at most a few thousand sockets, far below the 20,000 open
 * files a process may have here.
 * Parent and worker talk over the IPC channel, one request/answer pair at a time per call.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Sockets per worker process at most. */
export const CLIENTS_PER_WORKER = 3_000;

/** A request to a worker and its answer, as they cross the IPC channel. */
export type Request = { id: number; command: string; args: unknown };
export type Answer = { id: number; result?: unknown; error?: string };

export interface FleetWorker {
	readonly index: number;
	/** The loopback address its sockets are bound to. */
	readonly localAddress: string;
	readonly pid: number;
	/** The first client index of this worker and how many clients it has. */
	readonly first: number;
	readonly count: number;
	/** Runs a command in the worker and resolves with its answer. */
	call<R>(command: string, args?: unknown): Promise<R>;
}

export interface Fleet {
	readonly workers: readonly FleetWorker[];
	/** Runs a command in every worker at once; `args` per worker. */
	all<R>(command: string, args?: (worker: FleetWorker) => unknown): Promise<R[]>;
	/** Kills every worker (their sockets go with them). */
	close(): Promise<void>;
}

/** Starts enough workers of `script` (a file in bench/) for `clients` clients. */
export async function startFleet(script: string, clients: number): Promise<Fleet> {
	const size = Math.max(2, Math.ceil(clients / CLIENTS_PER_WORKER));
	const workers: FleetWorker[] = [];
	const children: ChildProcess[] = [];
	// A fresh /24 for each fleet: the sockets of the fleet before stay in TIME_WAIT for 60 s, and
	// on the same addresses a run started right after another saw the floor's handshakes stall.
	const net = `127.${1 + Math.floor(Math.random() * 254)}.${Math.floor(Math.random() * 256)}`;
	let first = 0;
	for (let index = 0; index < size; index += 1) {
		const count = Math.floor(clients / size) + (index < clients % size ? 1 : 0);
		const child = fork(path.join(here, script), [], {
			execArgv: ['--import', 'tsx'],
			serialization: 'advanced', // typed arrays of samples cross as they are
			stdio: ['ignore', 'inherit', 'inherit', 'ipc']
		});
		children.push(child);
		workers.push(workerOf(child, index, `${net}.${10 + index}`, first, count));
		first += count;
	}
	await Promise.all(workers.map((worker) => worker.call('ready')));
	return {
		workers,
		all: <R>(command: string, args?: (worker: FleetWorker) => unknown) =>
			Promise.all(workers.map((worker) => worker.call<R>(command, args?.(worker)))),
		async close() {
			await Promise.all(
				children.map(
					(child) =>
						new Promise<void>((resolve) => {
							if (child.exitCode !== null || child.signalCode !== null) return resolve();
							child.once('exit', () => resolve());
							child.kill('SIGKILL');
						})
				)
			);
		}
	};
}

function workerOf(
	child: ChildProcess,
	index: number,
	localAddress: string,
	first: number,
	count: number
): FleetWorker {
	let nextId = 0;
	const pending = new Map<
		number,
		{ resolve: (value: unknown) => void; reject: (e: Error) => void }
	>();
	child.on('message', (message: Answer) => {
		const waiter = pending.get(message.id);
		pending.delete(message.id);
		if (message.error !== undefined) waiter?.reject(new Error(`worker ${index}: ${message.error}`));
		else waiter?.resolve(message.result);
	});
	child.once('exit', (code, signal) => {
		for (const waiter of pending.values()) {
			waiter.reject(new Error(`worker ${index} exited (${code ?? signal}) during a command`));
		}
		pending.clear();
	});
	return {
		index,
		localAddress,
		pid: child.pid ?? -1,
		first,
		count,
		call<R>(command: string, args?: unknown) {
			const id = (nextId += 1);
			return new Promise<R>((resolve, reject) => {
				pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
				child.send({ id, command, args } satisfies Request);
			});
		}
	};
}
