/** Waiting helpers for the benchmarks. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 100 ms until it holds or `timeoutMs` passed; resolves with whether it held. */
export async function waitUntil(
	condition: () => boolean | Promise<boolean>,
	timeoutMs: number
): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await condition()) return true;
		if (Date.now() > deadline) return false;
		await sleep(100);
	}
}
