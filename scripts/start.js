/**
 * `npm start` and `npm run preview`: builds the app when the build is missing or older than its
 * sources, then runs the compiled server (`build/server.js`) in this same process, so the signals
 * meant for the server reach it. Plain JavaScript run by `node`, so it needs no dev dependency
 * once the app is built, and no shell syntax, so it runs the same on Windows, macOS and Linux.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** What `npm run build` writes: the page's handler and the compiled server. */
const outputs = ['build/handler.js', 'build/server.js'];
/** What the build reads. */
const sources = [
	'src',
	'machines',
	'scripts/serve.ts',
	'scripts/supervise.ts',
	'static',
	'svelte.config.js',
	'vite.config.ts',
	'vite.server.config.ts',
	'package.json'
];

const builtAt = Math.min(...outputs.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));
const stale = builtAt === 0 || sources.some((entry) => newest(entry) > builtAt);

if (stale && canBuild()) {
	console.log(builtAt === 0 ? 'No build yet: building…' : 'Sources changed: rebuilding…');
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	const build = spawnSync(npm, ['run', 'build'], {
		stdio: 'inherit',
		shell: process.platform === 'win32'
	});
	if (build.status !== 0) process.exit(build.status ?? 1);
} else if (builtAt === 0) {
	console.error(
		'No build, and the build tools are not installed: run npm install, then npm run build.'
	);
	process.exit(1);
} else if (stale) {
	console.warn(
		'The build is older than the sources, but the build tools are not installed: serving it.'
	);
}

stopWhenOrphaned();
await import(pathToFileURL(path.resolve('build/server.js')).href);

/**
 * The newest modification time under a file or folder.
 * @param {string} entry
 * @returns {number}
 */
function newest(entry) {
	if (!existsSync(entry)) return 0;
	const stats = statSync(entry);
	if (!stats.isDirectory()) return stats.mtimeMs;
	return readdirSync(entry).reduce((max, name) => Math.max(max, newest(path.join(entry, name))), 0);
}

/** Whether Vite is installed (it is not after `npm ci --omit=dev`). */
function canBuild() {
	try {
		import.meta.resolve('vite');
		return true;
	} catch {
		return false;
	}
}

/**
 * npm runs this script through a shell (`sh -c` on Linux and macOS). A SIGTERM sent to npm, as a
 * container runtime or systemd sends it, reaches that shell, which dies of it without passing it
 * on; this process is then left with another parent. It stops as if the signal had reached it.
 * (On Windows, Ctrl+C reaches every process of the console, this one included.)
 */
function stopWhenOrphaned() {
	if (process.platform === 'win32') return;
	const parent = process.ppid;
	const timer = setInterval(() => {
		if (process.ppid === parent) return;
		clearInterval(timer);
		process.kill(process.pid, 'SIGTERM');
	}, 200);
	timer.unref();
}
