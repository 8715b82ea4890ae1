/**
 * Reads the connection machine's context into plain display values for the inspector panel. The
 * panel must also work on other machines (and on the connection machine while its context
 * grows), so every field is read defensively and is null when absent or of another type.
 */

export interface CloseInfo {
	code: number;
	reason: string;
}

export interface ContextView {
	clientId: string | null;
	url: string | null;
	attempt: number | null;
	maxAttempts: number | null;
	/** The delay chosen for the next reconnect attempt, in ms. */
	nextDelay: number | null;
	/** Epoch ms at which the next attempt is due. */
	retryAt: number | null;
	lastMessageAt: number | null;
	openedAt: number | null;
	lastClose: CloseInfo | null;
	online: boolean | null;
	/** The config in force, as `[name, value]` rows in the machine's own order. */
	config: Array<[string, string]>;
}

/** Extracts the display values from a machine context of unknown shape. */
export function readContext(context: unknown): ContextView {
	const c = isRecord(context) ? context : {};
	const config = isRecord(c.config) ? c.config : {};
	return {
		clientId: str(c.clientId),
		url: str(c.url),
		attempt: num(c.attempt),
		maxAttempts: num(config.maxReconnectAttempts),
		nextDelay: num(c.nextDelay),
		retryAt: num(c.retryAt),
		lastMessageAt: num(c.lastMessageAt),
		openedAt: num(c.openedAt),
		lastClose: closeInfo(c.lastClose),
		online: typeof c.online === 'boolean' ? c.online : null,
		config: Object.entries(config).map(([key, value]) => [key, formatConfigValue(key, value)])
	};
}

/** Milliseconds left until `at` (never negative), or null when nothing is scheduled. */
export function remaining(at: number | null, now: number): number | null {
	return at === null ? null : Math.max(0, at - now);
}

/** Milliseconds since `at`, or null when it never happened. */
export function elapsed(at: number | null, now: number): number | null {
	return at === null ? null : Math.max(0, now - at);
}

/** `850 ms`, `4.2 s`, `2 min 5 s`: short, for a panel. */
export function formatDuration(ms: number): string {
	if (ms < 1000) return `${Math.round(ms)} ms`;
	if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
	const minutes = Math.floor(ms / 60_000);
	const seconds = Math.floor((ms % 60_000) / 1000);
	return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** A countdown in whole seconds, rounded up so it reads 1 s until the very end. */
export function formatCountdown(ms: number): string {
	return `${Math.ceil(ms / 1000)} s`;
}

function formatConfigValue(key: string, value: unknown): string {
	if (typeof value === 'number' && /(Delay|After|Timeout|Interval)$/.test(key)) {
		return `${value} ms`;
	}
	if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
		return String(value);
	}
	return JSON.stringify(value) ?? String(value);
}

function closeInfo(value: unknown): CloseInfo | null {
	if (!isRecord(value) || typeof value.code !== 'number') return null;
	return { code: value.code, reason: typeof value.reason === 'string' ? value.reason : '' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return !!value && typeof value === 'object' && !Array.isArray(value);
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
