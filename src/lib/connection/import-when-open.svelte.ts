/**
 * A lazy import (a chunk of the app's own code) that tries again when the connection comes back.
 *
 * The chunk is asked for once `ready()` says so. When that fails (the network or the server went
 * away right then), the page does not poll the server: it tries again the next time the
 * connection opens after having been down, which is when the server is known to answer again.
 * When that try fails too, the browser is holding on to the failure (see reload-for-code.ts) and
 * the page loads again. Must be called while a component initialises (it sets up an `$effect`).
 */
import { reloadForFailedCode } from './reload-for-code';

export interface ImportWhenOpen<T> {
	/** The module, once loaded. */
	readonly current: T | undefined;
	/** True from a failed try until the next one succeeds. */
	readonly failed: boolean;
}

export function importWhenOpen<T>(
	load: () => Promise<T>,
	when: { ready: () => boolean; open: () => boolean },
	onError: (error: unknown) => void,
	reloadPage: () => boolean = reloadForFailedCode
): ImportWhenOpen<T> {
	let current = $state.raw<T>();
	let failed = $state(false);
	let loading = false;
	/** Whether the connection has been anything but open since the last failure. */
	let downSinceFailure = false;

	// `await` in a try, not `.then(ok, failed)`: Vite moves a dynamic import's `.then` inside its
	// preload wrapper, out of reach of the failure handler.
	async function attempt(): Promise<void> {
		const retry = failed;
		loading = true;
		try {
			current = await load();
			failed = false;
		} catch (error) {
			onError(error);
			// Failed again with the server answering: only a new page fetches the code again.
			if (retry && when.open()) reloadPage();
			downSinceFailure = !when.open();
			failed = true;
		} finally {
			loading = false;
		}
	}

	$effect(() => {
		if (current !== undefined || loading || !when.ready()) return;
		if (failed) {
			const open = when.open();
			if (!open) downSinceFailure = true;
			if (!open || !downSinceFailure) return;
		}
		void attempt();
	});

	return {
		get current() {
			return current;
		},
		get failed() {
			return failed;
		}
	};
}
