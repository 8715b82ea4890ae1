/**
 * Starts the real connection machine against fake sockets and a TestClock, and offers the few
 * moves every connection test makes.
 */
import { createActor, type InspectionEvent } from 'xstate';
import {
	connectionMachine,
	connectionStateName,
	type ConnectionConfig
} from '../../machines/connection';
import { FakeSocketRegistry } from './fake-socket';
import { TestClock } from './test-clock';

export const TEST_URL = 'ws://localhost:8000/ws/test-client';

export type HarnessOptions = {
	url?: string;
	config?: Partial<ConnectionConfig>;
	random?: () => number;
	online?: boolean;
	inspect?: (event: InspectionEvent) => void;
};

/** A started connection actor plus the fakes that drive it. */
export function startConnection(options: HarnessOptions = {}) {
	const clock = new TestClock();
	const sockets = new FakeSocketRegistry();
	const messages: unknown[] = [];
	const actor = createActor(connectionMachine, {
		clock,
		inspect: options.inspect,
		input: {
			url: options.url ?? TEST_URL,
			config: options.config,
			createSocket: sockets.create,
			now: clock.wall,
			random: options.random ?? (() => 0),
			online: options.online
		}
	});
	actor.on('message', (event) => messages.push(event.message));
	actor.start();

	return {
		actor,
		clock,
		sockets,
		messages,
		state: () => connectionStateName(actor.getSnapshot()),
		context: () => actor.getSnapshot().context,
		/** CONNECT, the socket opens and the server confirms: the machine ends in `open`. */
		connectAndConfirm(clientId = 'test-client') {
			actor.send({ type: 'CONNECT' });
			sockets.latest.serverOpen();
			sockets.latest.serverMessage({ type: 'connected', clientId });
		}
	};
}

export type Harness = ReturnType<typeof startConnection>;
