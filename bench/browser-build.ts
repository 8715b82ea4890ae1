/**
 * A private copy of the production build for the browser benchmark. The checkout is shared and
 * others rebuild it while they work: a rebuild replaces the hashed chunks under the running
 * server, so the page it serves would ask for files that no longer exist. The server runs from a
 * temporary folder holding a copy of build/ and links to everything else it needs.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** What scripts/serve.ts reads besides build/ (linked, not copied). */
const LINKED = ['scripts', 'src', 'machines', 'node_modules', 'package.json', 'tsconfig.json'];

export interface BuildCopy {
	/** Folder to run scripts/serve.ts in (its cwd). */
	dir: string;
	/** When the copied build was made. */
	builtAt: Date;
	remove(): void;
}

/** Copies `root`/build into a temporary folder; undefined when there is no build. */
export function copyBuild(root: string): BuildCopy | undefined {
	const handler = path.join(root, 'build', 'handler.js');
	for (let attempt = 0; attempt < 3; attempt += 1) {
		if (!existsSync(handler)) return undefined;
		const builtAt = statSync(handler).mtime;
		const dir = mkdtempSync(path.join(tmpdir(), 'talkline-bench-build-'));
		try {
			cpSync(path.join(root, 'build'), path.join(dir, 'build'), { recursive: true });
		} catch {
			// The build changed while it was copied (files removed by a rebuild): try again.
			rmSync(dir, { recursive: true, force: true });
			continue;
		}
		for (const name of LINKED) symlinkSync(path.join(root, name), path.join(dir, name));
		const copy = { dir, builtAt, remove: () => rmSync(dir, { recursive: true, force: true }) };
		if (existsSync(handler) && statSync(handler).mtime.getTime() === builtAt.getTime()) {
			return copy;
		}
		copy.remove();
	}
	throw new Error('build/ kept changing while it was copied (a build is running): try again');
}

/**
 * A copy of the build for a server benchmark: undefined when there is no build/server.js, and
 * the benchmark runs scripts/serve.ts through tsx instead.
 */
export function copyServerBuild(root: string): BuildCopy | undefined {
	return existsSync(path.join(root, 'build', 'server.js')) ? copyBuild(root) : undefined;
}

/** Which server a benchmark ran, for its notes. */
export function serverKind(build: BuildCopy | undefined): string {
	return build
		? `the compiled build/server.js, as \`npm start\` runs it (a copy of the build of ${build.builtAt.toISOString().slice(0, 16)}Z)`
		: 'scripts/serve.ts through tsx (no build/server.js: run `npm run build` to measure the compiled server)';
}
