import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadToken, saveToken } from '../../src/lib/connection/client-token';
import { MAX_TOKEN_CHARS } from '../../src/lib/protocol/limits';
import { MemoryStorage } from '../support/memory-storage';

/** `document.cookie` as a browser keeps it for one host: name=value pairs, attributes dropped. */
class CookieJar {
	readonly #values = new Map<string, string>();
	/** Every cookie line written, attributes included. */
	readonly written: string[] = [];

	get cookie(): string {
		return [...this.#values].map(([name, value]) => `${name}=${value}`).join('; ');
	}

	set cookie(line: string) {
		this.written.push(line);
		const pair = line.split(';')[0] ?? '';
		const at = pair.indexOf('=');
		this.#values.set(pair.slice(0, at), pair.slice(at + 1));
	}
}

const TOKEN = 'tok_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';

afterEach(() => vi.unstubAllGlobals());

describe('the ownership token', () => {
	it('without a document (Node) lives in storage only, as before', () => {
		const storage = new MemoryStorage();
		expect(saveToken(storage, 'abc', TOKEN)).toBe(true);
		expect(storage.getItem('talkline.token.abc')).toBe(TOKEN);
		expect(loadToken(storage, 'abc')).toBe(TOKEN);
		expect(loadToken(new MemoryStorage(), 'abc')).toBeUndefined();
	});

	it('is kept in a host cookie too, so a page of another port on the same host finds it', () => {
		const jar = new CookieJar();
		vi.stubGlobal('document', jar);
		const firstPort = new MemoryStorage();
		expect(saveToken(firstPort, 'abc', TOKEN)).toBe(true);
		expect(jar.written[0]).toMatch(/; Path=\/; Max-Age=\d+; SameSite=Strict$/);

		// localStorage is per port: the other page's is empty, and takes the token from the cookie.
		const secondPort = new MemoryStorage();
		expect(loadToken(secondPort, 'abc')).toBe(TOKEN);
		expect(secondPort.getItem('talkline.token.abc')).toBe(TOKEN);
		expect(loadToken(secondPort, 'other-id')).toBeUndefined();
	});

	it('works from the cookie alone when storage is blocked, and ignores what is not a token', () => {
		const jar = new CookieJar();
		vi.stubGlobal('document', jar);
		const blocked = new MemoryStorage();
		blocked.blocked = true;
		expect(saveToken(blocked, 'abc', TOKEN)).toBe(true);
		expect(loadToken(blocked, 'abc')).toBe(TOKEN);

		jar.cookie = `talkline.token.long=${'x'.repeat(MAX_TOKEN_CHARS + 1)}`;
		expect(loadToken(new MemoryStorage(), 'long')).toBeUndefined();
		jar.cookie = 'talkline.token.bad=%E0%A4%A';
		expect(loadToken(new MemoryStorage(), 'bad')).toBeUndefined();
	});

	it('says when it could keep the token nowhere', () => {
		const blocked = new MemoryStorage();
		blocked.blocked = true;
		expect(saveToken(blocked, 'abc', TOKEN)).toBe(false);
		expect(saveToken(null, 'abc', TOKEN)).toBe(false);
	});
});
