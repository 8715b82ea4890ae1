import { describe, expect, it } from 'vitest';
import {
	isMadeHere,
	makeClientId,
	replaceLostClientId,
	resolveClientId
} from '../../src/lib/connection/client-id';
import { socketUrl } from '../../src/lib/connection/socket-url';
import { isValidClientId } from '../../src/lib/protocol/limits';
import { MemoryStorage } from '../support/memory-storage';

const KEY = 'talkline.clientId';
const none = new URLSearchParams();

describe('makeClientId', () => {
	it('makes ids the server accepts, different every time', () => {
		const made = Array.from({ length: 100 }, () => makeClientId());
		for (const id of made) expect(isValidClientId(id)).toBe(true);
		expect(new Set(made).size).toBe(made.length);
	});
});

describe('replaceLostClientId', () => {
	it('makes a new id for a lost one made here, and returns it', () => {
		const storage = new MemoryStorage({ [KEY]: 'c-lost' });
		const made = replaceLostClientId(storage, 'c-lost') ?? '';
		expect(isValidClientId(made)).toBe(true);
		expect(made).not.toBe('c-lost');
		expect(storage.getItem(KEY)).toBe(made);
		expect(resolveClientId(none, storage)).toBe(made);
	});

	it('leaves an id another tab has already replaced as it is', () => {
		const storage = new MemoryStorage({ [KEY]: 'c-new' });
		expect(replaceLostClientId(storage, 'c-lost')).toBeUndefined();
		expect(storage.getItem(KEY)).toBe('c-new');
	});

	it('knows an id made here from one given in the page URL', () => {
		expect(isMadeHere(none)).toBe(true);
		expect(isMadeHere(new URLSearchParams('clientId=someone'))).toBe(false);
	});
});

describe('resolveClientId', () => {
	it('uses ?clientId= from the page URL over the stored one', () => {
		const storage = new MemoryStorage({ [KEY]: 'stored-id' });
		expect(resolveClientId(new URLSearchParams('clientId=from-url'), storage)).toBe('from-url');
		expect(storage.getItem(KEY)).toBe('stored-id');
	});

	it('uses ?clientId= as it is, even an invalid one, so the server can refuse it', () => {
		const storage = new MemoryStorage();
		const id = resolveClientId(new URLSearchParams('clientId=not%20valid!'), storage);
		expect(id).toBe('not valid!');
		expect(storage.getItem(KEY)).toBeNull();
	});

	it('uses an empty ?clientId= as it is too, rather than making one up', () => {
		expect(resolveClientId(new URLSearchParams('clientId='), new MemoryStorage())).toBe('');
	});

	it('makes an id once and keeps it in storage for the next visit', () => {
		const storage = new MemoryStorage();
		const first = resolveClientId(none, storage);
		expect(isValidClientId(first)).toBe(true);
		expect(storage.getItem(KEY)).toBe(first);
		expect(resolveClientId(none, storage)).toBe(first);
		expect(storage.writes).toHaveLength(1);
	});

	it('replaces a stored id the server would refuse', () => {
		const storage = new MemoryStorage({ [KEY]: 'bad id with spaces' });
		const id = resolveClientId(none, storage);
		expect(id).not.toBe('bad id with spaces');
		expect(isValidClientId(id)).toBe(true);
		expect(storage.getItem(KEY)).toBe(id);
	});

	it('still gives a valid id when storage throws', () => {
		const storage = new MemoryStorage();
		storage.blocked = true;
		expect(isValidClientId(resolveClientId(none, storage))).toBe(true);
	});

	it('still gives a valid id when storage is full', () => {
		const storage = new MemoryStorage({}, 0);
		expect(isValidClientId(resolveClientId(none, storage))).toBe(true);
	});

	it('still gives a valid id without any storage', () => {
		expect(isValidClientId(resolveClientId(none, null))).toBe(true);
	});
});

describe('socketUrl', () => {
	it('uses ws: on the page origin for an http page', () => {
		const page = new URL('http://localhost:8123/?clientId=abc#top');
		expect(socketUrl('abc', page)).toBe('ws://localhost:8123/ws/abc');
	});

	it('uses wss: on the page origin for an https page, ignoring the page path', () => {
		const page = new URL('https://talk.example.com/some/page?x=1');
		expect(socketUrl('abc', page)).toBe('wss://talk.example.com/ws/abc');
	});

	it('treats a blank PUBLIC_WS_URL as unset', () => {
		const page = new URL('https://talk.example.com/');
		expect(socketUrl('abc', page, '  ')).toBe('wss://talk.example.com/ws/abc');
	});

	it.each([
		['https://api.example.com', 'wss://api.example.com/ws/abc'],
		['https://api.example.com/', 'wss://api.example.com/ws/abc'],
		['https://api.example.com/ws', 'wss://api.example.com/ws/abc'],
		['https://api.example.com/ws/', 'wss://api.example.com/ws/abc'],
		['http://api.example.com:8000', 'ws://api.example.com:8000/ws/abc'],
		['ws://api.example.com:8000/ws', 'ws://api.example.com:8000/ws/abc'],
		['wss://api.example.com', 'wss://api.example.com/ws/abc'],
		['wss://example.com/talkline/ws', 'wss://example.com/talkline/ws/abc'],
		['https://example.com/talkline/', 'wss://example.com/talkline/ws/abc']
	])('with PUBLIC_WS_URL %s connects to %s', (base, expected) => {
		const page = new URL('https://static.example.net/');
		expect(socketUrl('abc', page, base)).toBe(expected);
	});

	it('encodes a client id that is not URL-safe, so the server sees it as it is', () => {
		const page = new URL('http://localhost:8000/');
		const url = socketUrl('a b/c?d#e', page);
		expect(url).toBe('ws://localhost:8000/ws/a%20b%2Fc%3Fd%23e');
		expect(decodeURIComponent(new URL(url).pathname.slice('/ws/'.length))).toBe('a b/c?d#e');
	});
});
