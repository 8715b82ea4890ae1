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

/**
 * Parses a text frame from the server, once (the socket actor does, for everyone); never throws.
 * `undefined` stands for a frame that is not JSON (JSON itself has no undefined).
 */
export function parseFrame(data: string): unknown {
	try {
		return JSON.parse(data) as unknown;
	} catch {
		return undefined;
	}
}

/** The keepalive frame a parsed server message is, or `null` for anything else. */
export function keepaliveFrame(value: unknown): KeepaliveFrame | null {
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
