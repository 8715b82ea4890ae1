/**
 * The avatar's frame rate in headless Chromium (WebGL in software, SwiftShader): the page's
 * animation-frame rate and the rate of frames in which WebGL drew, idle and while speaking.
 */
import type { Browser } from '@playwright/test';
import { installProbe, probeFrames, type FrameSample } from './browser-probe';
import { sleep } from './wait';

export interface FrameResult {
	avatarStatus: string;
	idle: FrameSample | null;
	speaking: FrameSample | null;
	/** Why the speaking sample is missing, when it is. */
	speakingProblem: string | null;
}

/** A question the local brain answers at length, so the avatar speaks for several seconds. */
const QUESTION = 'Who are you?';

export async function avatarFrames(
	browser: Browser,
	baseUrl: string,
	windowMs: number
): Promise<FrameResult> {
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		await installProbe(page);
		await page.goto(`${baseUrl}/?clientId=bench-frames`);
		await page.locator('[data-testid=connection-badge][data-state=open]').waitFor();
		const avatar = page.getByTestId('avatar');
		await page
			.locator('[data-testid=avatar]:not([data-avatar-status=loading])')
			.waitFor({ timeout: 60_000 });
		const avatarStatus = (await avatar.getAttribute('data-avatar-status')) ?? '';
		if (avatarStatus !== 'ready') {
			return { avatarStatus, idle: null, speaking: null, speakingProblem: null };
		}
		await sleep(1_000);
		const idle = await probeFrames(page, windowMs, false);

		const input = page.getByTestId('chat-input');
		await input.fill(QUESTION);
		await input.press('Enter');
		try {
			await page.locator('[data-testid=avatar][data-speaking=true]').waitFor({ timeout: 20_000 });
		} catch {
			return { avatarStatus, idle, speaking: null, speakingProblem: 'never started speaking' };
		}
		const speaking = await probeFrames(page, windowMs, true);
		return { avatarStatus, idle, speaking, speakingProblem: null };
	} finally {
		await context.close();
	}
}
