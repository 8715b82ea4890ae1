/**
 * `.env` support: the settings of `.env.example`, read from a `.env` file in the working folder
 * when there is one (Node's own parser, `process.loadEnvFile`). Variables already set in the
 * environment win over the file, so a deployment's settings are never overridden by a stray file.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Loads `<folder>/.env` into `process.env` when it exists; returns the file read, if any. */
export function loadDotEnv(folder = process.cwd()): string | undefined {
	const file = path.resolve(folder, '.env');
	if (!existsSync(file)) return undefined;
	process.loadEnvFile(file);
	return file;
}
