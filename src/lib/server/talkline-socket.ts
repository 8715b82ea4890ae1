/**
 * The server's WebSocket class. `ws` closes a socket itself when a peer breaks its limits (1009
 * for a message over maxPayload, 1008 for too many fragments or buffered parts, 1002 and 1007 for
 * broken frames), but with an empty reason; a page then shows only a number. This class adds the
 * reason the protocol names for each of those codes to any close that comes without one.
 */
import { WebSocket } from 'ws';
import { CLOSE, CLOSE_REASON } from '../protocol/limits';

/** The reason sent with a close of this code when the closer gave none. */
const DEFAULT_REASONS: Readonly<Record<number, string>> = {
	[CLOSE.protocolError]: CLOSE_REASON.invalidFrame,
	[CLOSE.invalidPayload]: CLOSE_REASON.invalidUtf8,
	[CLOSE.policyViolation]: CLOSE_REASON.tooManyFragments,
	[CLOSE.messageTooBig]: CLOSE_REASON.messageTooBig
};

export class TalklineSocket extends WebSocket {
	override close(code?: number, reason?: string | Buffer): void {
		const fallback = code === undefined ? undefined : DEFAULT_REASONS[code];
		super.close(code, reason === undefined || reason.length === 0 ? fallback : reason);
	}
}
