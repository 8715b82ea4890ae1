/** A mood for an answer from its words, for brains that do not say one themselves. */
import type { Mood } from './types';

const CONCERNED =
	/\b(sorry|unfortunately|can't|cannot|couldn't|problem|error|failed|sad|worried)\b/i;
const HAPPY = /(!|\b(glad|great|happy|hello|hi|welcome|wonderful|nice|thanks|thank you)\b)/i;

/** concerned > happy > thinking (a question or a hedge) > neutral. */
export function guessMood(text: string): Mood {
	if (CONCERNED.test(text)) return 'concerned';
	if (HAPPY.test(text)) return 'happy';
	if (/\?\s*$|\b(maybe|perhaps|I think|hmm)\b/i.test(text)) return 'thinking';
	return 'neutral';
}
