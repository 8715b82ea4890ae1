/**
 * `npm start`: builds the app when the build is missing or older than its sources, then serves it.
 * A Node script rather than shell syntax so that it runs the same on Windows, macOS and Linux.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const builtAt = existsSync('build/handler.js') ? statSync('build/handler.js').mtimeMs : 0;
const sources = ['src', 'machines', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json'];

/** The newest modification time under a file or folder. */
function newest(entry: string): number {
	if (!existsSync(entry)) return 0;
	const stats = statSync(entry);
	if (!stats.isDirectory()) return stats.mtimeMs;
	return readdirSync(entry).reduce((max, name) => Math.max(max, newest(path.join(entry, name))), 0);
}

if (builtAt === 0 || sources.some((entry) => newest(entry) > builtAt)) {
	console.log(builtAt === 0 ? 'No build yet: building…' : 'Sources changed: rebuilding…');
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	const build = spawnSync(npm, ['run', 'build'], {
		stdio: 'inherit',
		shell: process.platform === 'win32'
	});
	if (build.status !== 0) process.exit(build.status ?? 1);
}

await import('./serve');
