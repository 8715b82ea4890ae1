/**
 * Choosing a voice. Lip sync is timed from English text, so an English voice is preferred; among
 * those a local one, because only local voices fire word `boundary` events to re-anchor on.
 */
import type { VoiceLike } from './synth-types';

/** `en_US` and `EN-us` both become `en-us`. */
function normalLang(lang: string): string {
	return lang.replace(/_/g, '-').toLowerCase();
}

function score(voice: VoiceLike, preferred: string): number {
	const lang = normalLang(voice.lang);
	if (!lang.startsWith('en')) return voice.default ? 0.5 : 0;
	let points = 10;
	if (lang === preferred) points += 4;
	if (voice.localService) points += 2;
	if (voice.default) points += 1;
	return points;
}

/**
 * The best voice for English text in `preferredLang` (`en-US` by default): an English voice when
 * there is one, else the browser's default, else the first; null when there are no voices.
 */
export function pickVoice(voices: readonly VoiceLike[], preferredLang = 'en-US'): VoiceLike | null {
	const preferred = normalLang(preferredLang);
	let best: VoiceLike | null = null;
	let bestScore = -1;
	for (const voice of voices) {
		const points = score(voice, preferred);
		if (points > bestScore) {
			best = voice;
			bestScore = points;
		}
	}
	return best;
}
