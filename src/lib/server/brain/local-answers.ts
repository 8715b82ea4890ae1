/**
 * The local brain's rules: what to say to a line of text, deterministically. No model and no
 * network; it knows about itself, the connection, the time and the last camera still, and
 * answers everything else with a friendly echo.
 */
import { describeImage, type Answer } from './describe-image';
import type { ConnectionFacts, ImageInput } from './types';

export interface AnswerContext {
	facts: ConnectionFacts;
	now: Date;
	lastImage?: ImageInput;
	/** IANA time zone for "what time is it"; the server's own when undefined. */
	timeZone?: string;
}

type Rule = { when: RegExp; answer: (text: string, context: AnswerContext) => Answer };

/** Answers that depend on nothing but which rule matched. */
const FIXED = {
	greeting: {
		text: "Hello! I'm Talkline, your avatar. Ask me about our connection, the time, or show me your camera.",
		mood: 'happy'
	},
	thanks: { text: "You're welcome! Happy to help.", mood: 'happy' },
	goodbye: { text: 'Goodbye! Come back any time.', mood: 'happy' },
	aboutMe: {
		text:
			"I'm Talkline's local brain: a small rule-based responder running on the server, with no " +
			'language model and no network. I can tell you about our connection and the time, and ' +
			'describe what your camera shows.',
		mood: 'neutral'
	},
	help: {
		text:
			'You can ask me how the connection is doing, how many pings we exchanged, how long we have ' +
			'been connected, what time it is, or what I see through your camera. I also do simple sums.',
		mood: 'neutral'
	},
	sympathy: {
		text: "I'm sorry to hear that. I'm only a small local brain, but I'm here and listening.",
		mood: 'concerned'
	},
	notConnected: {
		text: "We're not connected right now, so I have no live numbers to share.",
		mood: 'concerned'
	},
	nothingHeard: { text: "I didn't catch anything. Could you say that again?", mood: 'thinking' }
} as const satisfies Record<string, Answer>;

const rules: Rule[] = [
	{
		when: /^\s*(hi|hello|hey|hallo|howdy|greetings|good (morning|afternoon|evening))\b/i,
		answer: () => FIXED.greeting
	},
	{ when: /\bhow are you\b|\bhow's it going\b/i, answer: howAreYou },
	{
		when: /\b(thanks|thank you|cheers)\b/i,
		answer: () => FIXED.thanks
	},
	{
		when: /\b(bye|goodbye|see you|good night)\b/i,
		answer: () => FIXED.goodbye
	},
	{
		when: /\b(who|what) are you\b|\byour name\b|\bare you (a |an )?(bot|robot|ai|human|real)\b/i,
		answer: () => FIXED.aboutMe
	},
	{ when: /\bhelp\b|\bwhat can you do\b/i, answer: () => FIXED.help },
	{ when: /\b(see|look|camera|picture|photo|image|watching)\b/i, answer: lookAtCamera },
	{ when: /\b(pings?|pongs?|latency|round[- ]?trip|lag)\b/i, answer: pings },
	{ when: /\b(uptime|how long)\b/i, answer: uptime },
	{ when: /\b(connection|connected|status|state|online|socket)\b/i, answer: connection },
	{ when: /\b(time|clock|date|today|what day)\b/i, answer: timeNow },
	{
		when: /^\s*(what is |what's |calculate )?-?\d+(\.\d+)?\s*[-+*/x×]\s*-?\d+(\.\d+)?\s*\??\s*$/i,
		answer: arithmetic
	},
	{
		when: /\b(sad|tired|upset|angry|stressed|lonely|bad day|worried)\b/i,
		answer: () => FIXED.sympathy
	}
];

/** The answer to one line of text. */
export function answerText(text: string, context: AnswerContext): Answer {
	const trimmed = text.trim();
	if (!trimmed) return FIXED.nothingHeard;
	const rule = rules.find((candidate) => candidate.when.test(trimmed));
	if (rule) return rule.answer(trimmed, context);
	return isQuestion(trimmed) ? cannotAnswer(trimmed) : echo(trimmed);
}

function howAreYou(_text: string, { facts }: AnswerContext): Answer {
	const link =
		facts.state === 'open'
			? 'and our connection is healthy'
			: 'though we are not connected right now';
	return { text: `I'm doing well, thanks for asking, ${link}. How are you?`, mood: 'happy' };
}

function lookAtCamera(_text: string, { lastImage }: AnswerContext): Answer {
	if (lastImage) return describeImage(lastImage);
	return {
		text: "I haven't had a picture from you yet. Turn on your camera and I'll tell you what I see.",
		mood: 'thinking'
	};
}

function pings(_text: string, { facts }: AnswerContext): Answer {
	if (facts.state !== 'open') return FIXED.notConnected;
	const rtt =
		facts.lastRttMs === undefined ? '' : ` The last round trip took ${facts.lastRttMs} ms.`;
	return {
		text: `On this connection I've sent you ${count(facts.pingsSent, 'ping')} and you answered ${count(facts.pongsReceived, 'time')}.${rtt}`,
		mood: 'neutral'
	};
}

function uptime(_text: string, { facts, now }: AnswerContext): Answer {
	const server = `The server has been up for ${duration(now.getTime() - facts.serverStartedAt)}.`;
	if (facts.state !== 'open' || facts.connectedAt === undefined)
		return { text: server, mood: 'neutral' };
	return {
		text: `This connection has been open for ${duration(now.getTime() - facts.connectedAt)}. ${server}`,
		mood: 'neutral'
	};
}

function connection(_text: string, context: AnswerContext): Answer {
	const { facts, now } = context;
	if (facts.state !== 'open' || facts.connectedAt === undefined) return FIXED.notConnected;
	const rtt = facts.lastRttMs === undefined ? '' : `, last round trip ${facts.lastRttMs} ms`;
	return {
		text:
			`We're connected. Your client id is ${facts.clientId}, this connection has been open for ` +
			`${duration(now.getTime() - facts.connectedAt)}, and I've sent ${count(facts.pingsSent, 'ping')} ` +
			`with ${count(facts.pongsReceived, 'answer')}${rtt}. You've connected ${count(facts.connectionsOpened, 'time')} since the server started.`,
		mood: 'happy'
	};
}

function timeNow(_text: string, { now, timeZone }: AnswerContext): Answer {
	const time = now.toLocaleTimeString('en-GB', {
		hour: '2-digit',
		minute: '2-digit',
		timeZone,
		timeZoneName: 'short'
	});
	const date = now.toLocaleDateString('en-GB', {
		weekday: 'long',
		day: 'numeric',
		month: 'long',
		year: 'numeric',
		timeZone
	});
	return { text: `It's ${time} on ${date}.`, mood: 'neutral' };
}

function arithmetic(text: string): Answer {
	const match = /(-?\d+(?:\.\d+)?)\s*([-+*/x×])\s*(-?\d+(?:\.\d+)?)/.exec(text);
	const a = Number(match?.[1]);
	const b = Number(match?.[3]);
	const op = match?.[2];
	if (op === '/' && b === 0)
		return { text: "Dividing by zero? That's one sum I can't do.", mood: 'thinking' };
	const result = op === '+' ? a + b : op === '-' ? a - b : op === '/' ? a / b : a * b;
	return {
		text: `${a} ${op === 'x' || op === '×' ? '×' : op} ${b} is ${Number(result.toFixed(6))}.`,
		mood: 'happy'
	};
}

function cannotAnswer(text: string): Answer {
	return {
		text:
			`Good question: "${quote(text)}". I'm a small local brain without a language model, so I ` +
			"can't really answer that. I can tell you about our connection, the time, or your camera.",
		mood: 'thinking'
	};
}

function echo(text: string): Answer {
	return {
		text: `You said: "${quote(text)}". I'm listening! Ask me about the connection, the time or what I see.`,
		mood: 'neutral'
	};
}

function isQuestion(text: string): boolean {
	return (
		/\?\s*$/.test(text) ||
		/^(who|what|when|where|why|how|which|can|could|do|does|is|are|will|would|should)\b/i.test(text)
	);
}

function quote(text: string): string {
	return text.length > 160 ? `${text.slice(0, 157).trimEnd()}…` : text;
}

function count(n: number, noun: string): string {
	return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** "2 hours and 5 minutes", "3 minutes and 12 seconds", "45 seconds". */
export function duration(ms: number): string {
	const total = Math.max(0, Math.floor(ms / 1000));
	const [hours, minutes, seconds] = [
		Math.floor(total / 3600),
		Math.floor((total % 3600) / 60),
		total % 60
	];
	if (hours > 0)
		return minutes
			? `${count(hours, 'hour')} and ${count(minutes, 'minute')}`
			: count(hours, 'hour');
	if (minutes > 0)
		return seconds
			? `${count(minutes, 'minute')} and ${count(seconds, 'second')}`
			: count(minutes, 'minute');
	return count(seconds, 'second');
}
