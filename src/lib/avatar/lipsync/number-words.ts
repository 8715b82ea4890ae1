/**
 * Numbers as English words, briefly: enough for the mouth to move for "42" or "3.5" about as
 * long as a voice takes to say them. Not a full verbaliser (no ordinals, dates or currencies).
 */

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEENS = [
	'ten',
	'eleven',
	'twelve',
	'thirteen',
	'fourteen',
	'fifteen',
	'sixteen',
	'seventeen',
	'eighteen',
	'nineteen'
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES: [number, string][] = [
	[1e9, 'billion'],
	[1e6, 'million'],
	[1e3, 'thousand']
];

/** Longer digit runs than this (phone numbers, ids) are read digit by digit. */
const MAX_GROUPED_DIGITS = 12;

function underHundred(n: number): string {
	if (n < 10) return ONES[n] ?? '';
	if (n < 20) return TEENS[n - 10] ?? '';
	const ones = n % 10;
	const tens = TENS[Math.floor(n / 10)] ?? '';
	return ones === 0 ? tens : `${tens} ${ONES[ones]}`;
}

function underThousand(n: number): string {
	const hundreds = Math.floor(n / 100);
	const rest = n % 100;
	const head = hundreds > 0 ? `${ONES[hundreds]} hundred` : '';
	if (rest === 0) return head;
	return head ? `${head} ${underHundred(rest)}` : underHundred(rest);
}

function digitByDigit(digits: string): string {
	return [...digits].map((digit) => ONES[Number(digit)]).join(' ');
}

/** Words for a whole number written as decimal digits ("1200" -> "one thousand two hundred"). */
export function integerWords(digits: string): string {
	const clean = digits.replace(/^0+(?=\d)/, '');
	if (clean.length > MAX_GROUPED_DIGITS || digits.length !== clean.length) {
		return digitByDigit(digits);
	}
	let n = Number(clean);
	if (n === 0) return ONES[0] ?? 'zero';
	const parts: string[] = [];
	for (const [size, name] of SCALES) {
		if (n >= size) {
			parts.push(`${underThousand(Math.floor(n / size))} ${name}`);
			n %= size;
		}
	}
	if (n > 0) parts.push(underThousand(n));
	return parts.join(' ');
}

/**
 * Words for a number as written in text: digits with optional thousands commas and one
 * decimal point ("1,250.5" -> "one thousand two hundred fifty point five").
 */
export function numberWords(text: string): string {
	const [whole = '', fraction] = text.replace(/,(?=\d{3}\b)/g, '').split('.');
	const head = integerWords(whole.replace(/\D/g, '') || '0');
	if (fraction === undefined || fraction === '') return head;
	return `${head} point ${digitByDigit(fraction.replace(/\D/g, ''))}`;
}
