/**
 * Chatting through the talk page in the browser tests: typing a message, and reading the
 * transcript back (its user messages, its answers, their order).
 */
import type { Page } from '@playwright/test';
import { expect } from './page-support';

/** Types and sends; waits for the input first (the page renders slowly on a busy machine). */
export async function say(page: Page, text: string): Promise<void> {
	const input = page.getByTestId('chat-input');
	await expect(input).toBeVisible({ timeout: 30_000 });
	await input.fill(text);
	await input.press('Enter');
}

export const users = (page: Page) => page.getByTestId('message-user');
export const answers = (page: Page) => page.getByTestId('message-avatar');
/** Answers that have finished streaming. */
export const doneAnswers = (page: Page) => answers(page).and(page.locator('[data-status=done]'));

/** A message of the transcript: the user's by its id, an answer by its reply id. */
export interface TranscriptEntry {
	kind: 'user' | 'avatar';
	id: string;
}

/** The transcript's messages in the order the page shows them (notices left out). */
export function transcript(page: Page): Promise<TranscriptEntry[]> {
	return page.evaluate(() =>
		[...document.querySelectorAll('[data-testid=transcript] > ol > li')].flatMap(
			(item): TranscriptEntry[] => {
				const kind = item.getAttribute('data-testid');
				if (kind === 'message-user')
					return [{ kind: 'user', id: item.getAttribute('data-id') ?? '' }];
				if (kind === 'message-avatar') {
					return [{ kind: 'avatar', id: item.getAttribute('data-reply-id') ?? '' }];
				}
				return [];
			}
		)
	);
}
