/** A new epoch for a client id's log: opaque to clients, random, 32 hex characters. */
import { randomBytes } from 'node:crypto';

export function newEpoch(): string {
	return randomBytes(16).toString('hex');
}
