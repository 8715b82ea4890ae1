/**
 * `.env.example` lists every variable the server reads, each with its real default: a variable
 * added to the config module without a line here, a line for a variable nothing reads, or a
 * default that is not the default, fails this test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/lib/server/config';

/** Variables read outside the config module, and where. */
const READ_ELSEWHERE = {
	PUBLIC_WS_URL: 'the page (src/routes/+page.svelte, $env/dynamic/public)',
	DEV_PAGES: 'the /dev pages (src/routes/dev/+layout.server.ts)'
};

/** `# NAME=value` or `NAME=value` lines of .env.example, in order. */
function exampleLines(): { name: string; value: string }[] {
	const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
	return [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(([, name, value]) => ({
		name: name as string,
		value: (value as string).trim()
	}));
}

/** Every variable `configFromEnv` reads, found by handing it an environment that records reads. */
function variablesTheConfigReads(): string[] {
	const read = new Set<string>();
	const env = new Proxy({} as Record<string, string | undefined>, {
		get(_target, key) {
			if (typeof key === 'string') read.add(key);
			return undefined;
		}
	});
	configFromEnv(env);
	return [...read];
}

describe('.env.example', () => {
	it('lists each variable the server reads, once, and nothing else', () => {
		const listed = exampleLines().map((line) => line.name);
		const expected = [...variablesTheConfigReads(), ...Object.keys(READ_ELSEWHERE)];
		expect(new Set(listed).size).toBe(listed.length);
		expect([...listed].sort()).toEqual([...new Set(expected)].sort());
	});

	it('shows the real default of each setting of the config module', () => {
		const defaults = configFromEnv({});
		const configured = new Set(variablesTheConfigReads());
		for (const { name, value } of exampleLines()) {
			if (!configured.has(name)) continue;
			expect(configFromEnv({ [name]: value }), `${name}=${value}`).toEqual(defaults);
		}
	});

	it('is committed, and .env is not', () => {
		const ignored = readFileSync(new URL('../../.gitignore', import.meta.url), 'utf8').split('\n');
		expect(ignored).toContain('.env');
		expect(ignored).toContain('!.env.example');
	});
});
