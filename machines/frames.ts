/**
 * The only server frames the machine itself reads: `connected` (rule 2) and `ping` (rule 3).
 * Everything else is the app's business and is validated by its own schema.
 */

/** A keepalive-relevant frame, or `null` for anything else (including malformed JSON). */
export type KeepaliveFrame = { type: 'connected'; clientId: string } | { type: 'ping'; ts: number };

/** The probe sent once on entering `stale` (rule 4). */
export const PING_PROBE = JSON.stringify({ type: 'ping' });

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses a raw text frame; never throws. */
export function parseKeepaliveFrame(data: string): KeepaliveFrame | null {
	let value: unknown;
	try {
		value = JSON.parse(data);
	} catch {
		return null;
	}
	if (!isRecord(value)) return null;
	if (value.type === 'connected' && typeof value.clientId === 'string') {
		return { type: 'connected', clientId: value.clientId };
	}
	if (value.type === 'ping' && typeof value.ts === 'number' && Number.isFinite(value.ts)) {
		return { type: 'ping', ts: value.ts };
	}
	return null;
}

/** The answer to a server `{"type":"ping","ts":n}`: `{"type":"pong","ts":n}`. */
export function pongFrame(ts: number): string {
	return JSON.stringify({ type: 'pong', ts });
}
