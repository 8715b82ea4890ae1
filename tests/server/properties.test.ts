/**
 * Property-based tests (fast-check) against a real server on a real SQLite file: random sequences
 * of well-formed and malformed client messages, reconnects, restarts and intruders without the
 * token. Whatever the sequence:
 * - the server never crashes nor logs an error;
 * - every connection receives its client id's messages with consecutive seqs from its resume
 *   point (no gap, no duplicate), and a final replay from 0 is 1..n;
 * - every acked chat is answered exactly once (one reply.start, and that reply ends once);
 * - an intruder without the token never sees a stored message nor gets a chat acked.
 * The number of runs is kept small so the suite stays fast; a failure prints its seed and path.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientMessage } from '../../src/lib/protocol/client-messages';
import type { SequencedMessage, ServerMessage } from '../../src/lib/protocol/server-messages';
import { SqliteStore, storeFile } from '../../src/lib/server/store/sqlite-store';
import { connectClient, type Credentials, type TestClient } from '../support/server-client';
import { makeTempDir, removeTempDirs } from '../support/temp-dir';
import { startTestServer, type TestServer } from '../support/test-server';

const CLIENT_IDS = ['prop-a', 'prop-b'] as const;
type ClientIdx = 0 | 1;

type Action =
	| { kind: 'chat'; who: ClientIdx; id: number; text: string }
	| { kind: 'wellFormed'; who: ClientIdx; message: ClientMessage }
	| { kind: 'malformed'; who: ClientIdx; raw: string }
	| { kind: 'resumeBeyond'; who: ClientIdx }
	| { kind: 'reconnect'; who: ClientIdx }
	| { kind: 'restart' }
	| { kind: 'intruder'; who: ClientIdx; id: number };

const who = fc.constantFrom<ClientIdx>(0, 1);
const chatId = fc.integer({ min: 0, max: 5 }); // a small pool, so the same id comes again

const malformedRaw = fc.oneof(
	fc.string({ maxLength: 40 }),
	fc.json({ maxDepth: 2 }),
	fc.constantFrom(
		'{"type":"chat","id":7,"text":"wrong kind of id"}',
		'{"type":"chat","id":"x","text":""}',
		'{"type":"resume","lastSeq":-1}',
		'{"type":"resume","lastSeq":1.5}',
		'{"type":"resume","lastSeq":0,"token":42}',
		'{"type":"frame","id":"f","mime":"text/html","width":1,"height":1,"data":"AA=="}',
		'{"type":"teleport"}',
		'[1,2,3]',
		'null'
	)
);

const wellFormed = fc.oneof(
	fc.constant<ClientMessage>({ type: 'ping' }),
	fc.integer({ min: 0, max: 2 ** 40 }).map((ts): ClientMessage => ({ type: 'pong', ts })),
	fc.constant<ClientMessage>({ type: 'interrupt' }),
	fc.integer({ min: 0, max: 50 }).map((seq): ClientMessage => ({ type: 'ack', seq }))
);

const action: fc.Arbitrary<Action> = fc.oneof(
	{
		weight: 5,
		arbitrary: fc.record({
			kind: fc.constant('chat'),
			who,
			id: chatId,
			text: fc.constantFrom('hello', 'thanks', 'what can you do?', 'help')
		})
	},
	{
		weight: 2,
		arbitrary: fc.record({ kind: fc.constant('wellFormed'), who, message: wellFormed })
	},
	{ weight: 2, arbitrary: fc.record({ kind: fc.constant('malformed'), who, raw: malformedRaw }) },
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant('resumeBeyond'), who }) },
	{ weight: 2, arbitrary: fc.record({ kind: fc.constant('reconnect'), who }) },
	{ weight: 1, arbitrary: fc.constant<Action>({ kind: 'restart' }) },
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant('intruder'), who, id: chatId }) }
) as fc.Arbitrary<Action>;

const isSequenced = (m: ServerMessage): m is SequencedMessage => 'seq' in m;

/** One client id as the test drives it: its credentials, live connection and what it has seen. */
interface Driven {
	clientId: string;
	credentials?: Credentials;
	client?: TestClient;
	/** Every connection so far, with the lastSeq it resumed from. */
	connections: { client: TestClient; resumedFrom: number }[];
	/** The highest seq this client id's connections have received. */
	lastSeq: number;
}

let server: TestServer | undefined;
const everyClient: TestClient[] = [];

afterEach(async () => {
	await Promise.all(everyClient.splice(0).map((client) => client.close()));
	await server?.close();
	server = undefined;
	removeTempDirs();
});

async function runScenario(actions: Action[]): Promise<void> {
	const file = storeFile(makeTempDir('talkline-prop-'));
	const start = () => startTestServer({ brainChunkDelayMs: 1 }, { store: new SqliteStore(file) });
	server = await start();
	const errors: unknown[] = [];
	const drive: Driven[] = CLIENT_IDS.map((clientId) => ({ clientId, connections: [], lastSeq: 0 }));
	const intruders: TestClient[] = [];

	const connect = async (d: Driven): Promise<TestClient> => {
		const client = await connectClient((server as TestServer).wsUrl(d.clientId));
		everyClient.push(client);
		d.credentials ??= client.credentials; // the first connection claims the id
		client.resume(d.lastSeq, d.credentials);
		d.connections.push({ client, resumedFrom: d.lastSeq });
		d.client = client;
		return client;
	};
	/** The live connection, opened again if the server closed it (bad messages, restart). */
	const live = async (d: Driven): Promise<TestClient> => {
		const client = d.client;
		if (client && client.ws.readyState === client.ws.OPEN) return client;
		await settle(d);
		return connect(d);
	};
	/** Lets what was sent be handled, and records the highest seq seen. */
	const settle = async (d: Driven): Promise<void> => {
		const client = d.client;
		if (client && client.ws.readyState === client.ws.OPEN) {
			client.send({ type: 'ping' });
			await client.next('pong').catch(() => undefined); // closed meanwhile: fine
		}
		for (const { client: c } of d.connections)
			for (const m of c.received) if (isSequenced(m)) d.lastSeq = Math.max(d.lastSeq, m.seq);
	};

	for (const step of actions) {
		switch (step.kind) {
			case 'chat':
				(await live(drive[step.who] as Driven)).send({
					type: 'chat',
					id: `c${step.id}`,
					text: step.text
				});
				break;
			case 'wellFormed':
				(await live(drive[step.who] as Driven)).send(step.message);
				break;
			case 'malformed':
				(await live(drive[step.who] as Driven)).sendRaw(step.raw);
				break;
			case 'resumeBeyond': {
				const d = drive[step.who] as Driven;
				const client = await live(d);
				await settle(d);
				client.send({ type: 'resume', lastSeq: 2 ** 53 - 1, ...d.credentials });
				break;
			}
			case 'reconnect': {
				const d = drive[step.who] as Driven;
				await settle(d);
				await d.client?.close();
				await connect(d);
				break;
			}
			case 'restart':
				for (const d of drive) await settle(d);
				await server.close();
				server = await start();
				break;
			case 'intruder': {
				const d = drive[step.who] as Driven;
				await live(d); // the id is claimed
				const intruder = await connectClient(server.wsUrl(d.clientId));
				everyClient.push(intruder);
				intruders.push(intruder);
				intruder.send({ type: 'resume', lastSeq: 0 });
				intruder.send({ type: 'chat', id: `intruder-${step.id}`, text: 'let me in' });
				intruder.send({ type: 'ping' });
				await intruder.next('pong').catch(() => undefined);
				break;
			}
		}
	}
	for (const d of drive) await settle(d);

	// Every acked chat is answered: read the whole log back on a fresh connection.
	for (const d of drive) {
		if (!d.credentials) continue;
		const acked = new Set(
			d.connections.flatMap(({ client }) =>
				client.received.flatMap((m) => (m.type === 'ack' ? [m.id] : []))
			)
		);
		const reader = await connectClient(server.wsUrl(d.clientId));
		everyClient.push(reader);
		reader.resume(0, d.credentials);
		const answered = () => {
			const log = reader.received.filter(isSequenced);
			const ended = new Set(
				log
					.filter((m) => m.type === 'reply.end' || m.type === 'reply.interrupted')
					.map((m) => m.replyId)
			);
			return [...acked].every((id) =>
				log.some((m) => m.type === 'reply.start' && m.inReplyTo === id && ended.has(m.replyId))
			);
		};
		await expect.poll(answered, { timeout: 15_000 }).toBe(true);
		const log = reader.received.filter(isSequenced);
		expect(log.map((m) => m.seq)).toEqual(log.map((_m, i) => i + 1)); // 1..n, no gap or duplicate
		for (const id of acked) {
			const starts = log.filter((m) => m.type === 'reply.start' && m.inReplyTo === id);
			expect(starts, `chat ${id} answered once`).toHaveLength(1);
			const replyId = starts[0]?.replyId;
			const ends = log.filter(
				(m) => (m.type === 'reply.end' || m.type === 'reply.interrupted') && m.replyId === replyId
			);
			expect(ends, `reply to ${id} ended once`).toHaveLength(1);
		}
		// Each connection got consecutive seqs from its resume point.
		for (const { client, resumedFrom } of d.connections) {
			const seqs = client.received.filter(isSequenced).map((m) => m.seq);
			expect(seqs).toEqual(seqs.map((_s, i) => resumedFrom + 1 + i));
		}
	}
	for (const intruder of intruders) {
		expect(intruder.received.filter(isSequenced)).toEqual([]);
		expect(intruder.received.filter((m) => m.type === 'ack')).toEqual([]);
	}
	errors.push(...server.logs.filter((line) => line.level >= 50));
	expect(errors).toEqual([]);
	expect((await server.health()).ok).toBe(true);
}

describe('properties of the server under random client behaviour', () => {
	it(
		'never crashes, never skips or repeats a seq, answers every acked chat exactly once',
		{ timeout: 240_000 },
		async () => {
			await fc.assert(
				fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 25 }), async (actions) => {
					try {
						await runScenario(actions);
					} finally {
						await Promise.all(everyClient.splice(0).map((client) => client.close()));
						await server?.close();
						server = undefined;
					}
				}),
				{ numRuns: 8 }
			);
		}
	);
});
