/**
 * Temporary folders for server tests (DATA_DIR of a server process, SQLite store files), removed
 * by `removeTempDirs()` in `afterAll`/`afterEach`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const made: string[] = [];

/** A new empty folder under the OS temp folder. */
export function makeTempDir(prefix = 'talkline-test-'): string {
	const dir = mkdtempSync(path.join(tmpdir(), prefix));
	made.push(dir);
	return dir;
}

/** Removes every folder made so far. */
export function removeTempDirs(): void {
	for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
