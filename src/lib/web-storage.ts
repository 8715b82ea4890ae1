/**
 * The browser's localStorage or sessionStorage, or null where there is none (server rendering)
 * or the browser refuses it (blocked cookies, some private modes throw on access).
 */
export function webStorage(kind: 'localStorage' | 'sessionStorage'): Storage | null {
	try {
		return typeof window === 'undefined' ? null : window[kind];
	} catch {
		return null;
	}
}
