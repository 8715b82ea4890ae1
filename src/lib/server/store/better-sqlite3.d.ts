/**
 * The part of better-sqlite3's API this store uses. The package ships no types and
 * @types/better-sqlite3 is not installed; these follow its documented API (docs/api.md, v12).
 */
declare module 'better-sqlite3' {
	namespace Database {
		interface RunResult {
			changes: number;
			lastInsertRowid: number | bigint;
		}
		interface Statement<Params extends unknown[] = unknown[]> {
			run(...params: Params): RunResult;
			get(...params: Params): unknown;
			all(...params: Params): unknown[];
			/** Returns only the first column of each row. */
			pluck(toggle?: boolean): this;
		}
		interface Options {
			readonly?: boolean;
			fileMustExist?: boolean;
			/** ms to wait on a locked database before SQLITE_BUSY (5000 by default). */
			timeout?: number;
		}
		interface Database {
			readonly open: boolean;
			readonly name: string;
			prepare<Params extends unknown[] = unknown[]>(sql: string): Statement<Params>;
			exec(sql: string): this;
			pragma(source: string, options?: { simple?: boolean }): unknown;
			/** Wraps `fn` so that each call runs in one transaction (rolled back if it throws). */
			transaction<F extends (...args: never[]) => unknown>(fn: F): F;
			close(): this;
		}
	}
	interface DatabaseConstructor {
		new (filename: string, options?: Database.Options): Database.Database;
	}
	const Database: DatabaseConstructor;
	export default Database;
}
