/**
 * The avatar's frame rate in headless Chromium (WebGL in software, SwiftShader): the page's
 * animation-frame rate and the rate of frames in which WebGL drew, idle and while speaking. The
 * loaded-model bench (browser-model-frames.ts) measures its head with the same `headFrames`.
 */
import type { Browser, Page } from '@playwright/test';
import { installProbe, probeFrames, type FrameSample } from './browser-probe';
import { sleep } from './wait';

/** One head's frame rates. */
export interface HeadFrames {
	/** data-avatar-status once loaded (plus the model kind when one was asked for: `ready, glb`). */
	avatarStatus: string;
	idle: FrameSample | null;
	speaking: FrameSample | null;
	/** Why the speaking sample is missing, when it is. */
	speakingProblem: string | null;
}

export interface FrameResult extends HeadFrames {
	/** Chats typed while the avatar spoke: keydown (Enter) -> the message's element, ms. */
	chatLatencyMs: number[];
}

/** Chats typed while the avatar speaks, one after another. */
const TYPED_CHATS = 12;

/**
 * In the page (plain JavaScript: see browser-probe.ts): from the Enter keydown (its event
 * timestamp, so time the input waited behind other work counts) until a MutationObserver sees
 * the user's message with `text` in the transcript. Resolves with the ms.
 */
const ARM_LATENCY = String.raw`((text) => {
	const list = document.querySelector('[data-testid=transcript]');
	window.__chatLatency = new Promise((resolve) => {
		let downAt = null;
		const onKey = (event) => {
			if (event.key === 'Enter' && downAt === null) downAt = event.timeStamp;
		};
		const shown = () =>
			[...list.querySelectorAll('[data-testid=message-user]')].some((el) =>
				(el.textContent || '').includes(text)
			);
		const observer = new MutationObserver(() => {
			if (downAt === null || !shown()) return;
			const at = performance.now();
			observer.disconnect();
			document.removeEventListener('keydown', onKey, true);
			resolve(at - downAt);
		});
		document.addEventListener('keydown', onKey, true);
		observer.observe(list, { childList: true, subtree: true, characterData: true });
	});
})`;

/** A question the local brain answers at length, so the avatar speaks for several seconds. */
const QUESTION = 'Who are you?';

/** Opens `url` in a fresh context with the frame probe installed, runs `use`, closes the context. */
export async function inFreshPage<T>(
	browser: Browser,
	url: string,
	use: (page: Page) => Promise<T>
): Promise<T> {
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		await installProbe(page);
		await page.goto(url);
		return await use(page);
	} finally {
		await context.close();
	}
}

/**
 * Once the page is connected and the avatar loaded (showing `model`, when given): frames idle,
 * then while it speaks the answer to QUESTION. A sample that could not be taken is null.
 */
export async function headFrames(page: Page, windowMs: number, model?: 'glb'): Promise<HeadFrames> {
	await page.locator('[data-testid=connection-badge][data-state=open]').waitFor();
	const avatar = page.getByTestId('avatar');
	await page
		.locator('[data-testid=avatar]:not([data-avatar-status=loading])')
		.waitFor({ timeout: 60_000 });
	let avatarStatus = (await avatar.getAttribute('data-avatar-status')) ?? '';
	const none = { idle: null, speaking: null, speakingProblem: null };
	if (avatarStatus !== 'ready') return { avatarStatus, ...none };
	if (model) {
		try {
			await page
				.locator(`[data-testid=avatar][data-avatar-model=${model}]`)
				.waitFor({ timeout: 60_000 });
		} catch {
			const message = await page.getByTestId('avatar-message').textContent();
			return { avatarStatus: `${model} not shown: ${message ?? 'no message'}`, ...none };
		}
		avatarStatus = `${avatarStatus}, ${model}`;
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
}

/** The built-in head's frames, then the delay of chats typed while it speaks. */
export function avatarFrames(
	browser: Browser,
	baseUrl: string,
	windowMs: number
): Promise<FrameResult> {
	return inFreshPage(browser, `${baseUrl}/?clientId=bench-frames`, async (page) => {
		const frames = await headFrames(page, windowMs);
		if (!frames.speaking) return { ...frames, chatLatencyMs: [] };
		const input = page.getByTestId('chat-input');
		const chatLatencyMs: number[] = [];
		for (let i = 0; i < TYPED_CHATS; i += 1) {
			// Each chat is typed while an answer is being spoken (each chat starts a new answer).
			await page.locator('[data-testid=avatar][data-speaking=true]').waitFor({ timeout: 20_000 });
			await sleep(300);
			const text = `${QUESTION} (${i + 1})`;
			await page.evaluate(`${ARM_LATENCY}(${JSON.stringify(text)})`);
			await input.fill(text);
			await input.press('Enter');
			chatLatencyMs.push((await page.evaluate('window.__chatLatency')) as number);
		}
		return { ...frames, chatLatencyMs };
	});
}
