import { describe, expect, it } from 'vitest';
import { answerText, duration, type AnswerContext } from '../../src/lib/server/brain/local-answers';
import { LocalBrain } from '../../src/lib/server/brain/local-brain';
import type { BrainEvent, BrainRequest, ConnectionFacts } from '../../src/lib/server/brain/types';
import { ONE_PIXEL_PNG } from '../support/images';

const now = new Date('2026-03-14T15:09:26Z');
const facts: ConnectionFacts = {
	clientId: 'test-client',
	state: 'open',
	connectedAt: now.getTime() - 192_000,
	serverStartedAt: now.getTime() - 7_500_000,
	pingsSent: 19,
	pongsReceived: 18,
	lastRttMs: 4,
	connectionsOpened: 2
};
const context: AnswerContext = { facts, now, timeZone: 'UTC' };
const offline: AnswerContext = {
	...context,
	facts: { ...facts, state: 'disconnected', connectedAt: undefined }
};

describe('the local brain’s answers', () => {
	it.each(['hello', 'Hi there!', 'good morning', 'Hey'])('greets back happily: %s', (text) => {
		expect(answerText(text, context)).toEqual({
			text: expect.stringMatching(/^Hello! I'm Talkline/),
			mood: 'happy'
		});
	});

	it('says what it is', () => {
		expect(answerText('Who are you?', context).text).toMatch(/local brain.*no language model/);
		expect(answerText('are you a robot', context).mood).toBe('neutral');
	});

	it('reports the connection: id, open time, pings, round trip and connections', () => {
		expect(answerText('How is the connection?', context)).toEqual({
			text: "We're connected. Your client id is test-client, this connection has been open for 3 minutes and 12 seconds, and I've sent 19 pings with 18 answers, last round trip 4 ms. You've connected 2 times since the server started.",
			mood: 'happy'
		});
	});

	it('counts pings', () => {
		expect(answerText('how many pings so far?', context).text).toBe(
			"On this connection I've sent you 19 pings and you answered 18 times. The last round trip took 4 ms."
		);
	});

	it('tells the connection and server uptime', () => {
		expect(answerText("what's the uptime", context).text).toBe(
			'This connection has been open for 3 minutes and 12 seconds. The server has been up for 2 hours and 5 minutes.'
		);
	});

	it('is concerned when asked about a connection that is down', () => {
		expect(answerText('connection status?', offline)).toMatchObject({
			mood: 'concerned',
			text: expect.stringMatching(/not connected/)
		});
		expect(answerText('uptime', offline).text).toBe(
			'The server has been up for 2 hours and 5 minutes.'
		);
	});

	it('tells the time and date in the configured time zone', () => {
		expect(answerText('What time is it?', context).text).toBe(
			"It's 15:09 UTC on Saturday, 14 March 2026."
		);
	});

	it('does simple sums', () => {
		expect(answerText('what is 6 x 7?', context)).toEqual({ text: '6 × 7 is 42.', mood: 'happy' });
		expect(answerText('10 / 4', context).text).toBe('10 / 4 is 2.5.');
		expect(answerText('1 / 0', context).text).toMatch(/zero/);
	});

	it('asks for a camera still when there is none, and describes the last one when there is', () => {
		expect(answerText('What do you see?', context)).toMatchObject({
			mood: 'thinking',
			text: expect.stringMatching(/turn on your camera/i)
		});
		const still = {
			mime: 'image/png',
			width: 1,
			height: 1,
			data: ONE_PIXEL_PNG
		};
		expect(answerText('What do you see?', { ...context, lastImage: still }).text).toMatch(
			/^I see a 1 by 1 picture/
		);
	});

	it('answers feelings with concern', () => {
		expect(answerText("I'm having a bad day", context).mood).toBe('concerned');
	});

	it('owns up to questions it cannot answer, quoting them', () => {
		expect(answerText('Why is the ocean salty?', context)).toEqual({
			text: expect.stringMatching(
				/^Good question: "Why is the ocean salty\?"\. I'm a small local brain/
			),
			mood: 'thinking'
		});
	});

	it('echoes anything else kindly', () => {
		expect(answerText('I like turtles', context)).toEqual({
			text: expect.stringMatching(/^You said: "I like turtles"\. I'm listening!/),
			mood: 'neutral'
		});
		expect(answerText('x'.repeat(500), context).text.length).toBeLessThan(300);
	});

	it('gives the same answer to the same question (deterministic)', () => {
		expect(answerText('How is the connection?', context)).toEqual(
			answerText('How is the connection?', context)
		);
	});

	it.each([
		[0, '0 seconds'],
		[1_000, '1 second'],
		[61_000, '1 minute and 1 second'],
		[120_000, '2 minutes'],
		[3_600_000, '1 hour'],
		[7_500_000, '2 hours and 5 minutes']
	])('spells %i ms as "%s"', (ms, words) => {
		expect(duration(ms)).toBe(words);
	});
});

describe('LocalBrain', () => {
	const request = (text: string): BrainRequest => ({
		clientId: 'c',
		input: { kind: 'chat', id: 'm', text },
		facts,
		now
	});

	async function collect(events: AsyncIterable<BrainEvent>): Promise<BrainEvent[]> {
		const out: BrainEvent[] = [];
		for await (const event of events) out.push(event);
		return out;
	}

	it('streams the mood first, then the answer in phrases that add up to it', async () => {
		const brain = new LocalBrain({ chunkDelayMs: 0, timeZone: 'UTC' });
		const events = await collect(brain.reply(request('hello'), new AbortController().signal));
		expect(events[0]).toEqual({ type: 'mood', mood: 'happy' });
		const pieces = events.slice(1).map((e) => (e.type === 'text' ? e.text : '?'));
		expect(pieces.length).toBeGreaterThan(3);
		expect(pieces.join('')).toBe(answerText('hello', { facts, now }).text);
		expect(pieces.every((piece) => piece.trim().split(/\s+/).length <= 3)).toBe(true);
	});

	it('stops streaming when its signal aborts', async () => {
		const brain = new LocalBrain({ chunkDelayMs: 5 });
		const controller = new AbortController();
		const events: BrainEvent[] = [];
		for await (const event of brain.reply(request('what can you do?'), controller.signal)) {
			events.push(event);
			if (events.length === 2) controller.abort();
		}
		expect(events).toHaveLength(2);
	});

	it('describes the latest camera still when asked what it sees', async () => {
		const brain = new LocalBrain({ chunkDelayMs: 0 });
		const still = {
			mime: 'image/png',
			width: 1,
			height: 1,
			data: ONE_PIXEL_PNG
		};
		const events = await collect(
			brain.reply(
				{ ...request('What do you see?'), lastImage: still },
				new AbortController().signal
			)
		);
		expect(events.map((e) => (e.type === 'text' ? e.text : '')).join('')).toMatch(
			/^I see a 1 by 1 picture/
		);
	});
});
