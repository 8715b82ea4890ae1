/**
 * Group commit for client messages. Every chat and still that arrives in one turn of the event
 * loop is stored in one durable transaction (one fsync), then each is settled in arrival order:
 * acked, and acted on if it is new (`value`: whether it was new). With an fsync per message, 500
 * chats arriving together held the loop for about half a second and every streaming reply
 * stalled behind them (`npm run bench -- --only chat`); batched, the cost is one fsync per turn.
 *
 * Nothing is acked before its commit, so the ack still means "stored, also across a power cut".
 */
import type { AcceptRequest, MessageStore } from './store/message-store';
import { TickBatch, type BatchOutcome } from './tick-batch';

/** How one accepted message turned out: stored (`value`: new, or seen before), or the commit failed. */
export type AcceptOutcome = BatchOutcome<boolean>;

export class AcceptQueue extends TickBatch<AcceptRequest, boolean> {
	constructor(store: MessageStore, onFault: (error: unknown) => void) {
		super('accept', (batch) => store.acceptClientMessages(batch), onFault);
	}
}
