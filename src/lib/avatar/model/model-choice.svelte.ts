/**
 * Which avatar the page shows: the built-in head or a model loaded from a file, a dropped file,
 * `?avatar=<url>` or the file stored from last time. It owns the loaded model: a newer choice
 * cancels an older load, the old model is disposed once the Avatar has let go of it, and a load
 * that fails leaves whatever was shown before with a message. Construct in the browser only.
 */
import { tick } from 'svelte';
import type { AvatarModel } from './avatar-model';
import { inspectGlb } from './glb';
import { modelErrorMessage } from './model-error';
import { downloadModel, readModelFile } from './read-bytes';
import { forgetStoredAvatar, readStoredAvatar, storeAvatar } from './avatar-store';

/** What to load and whether to keep it for next time. */
type Request =
	| { from: 'file'; file: Blob; name: string; keep: boolean }
	| { from: 'url'; url: string; name: string };

export class ModelChoice {
	/** The model to show, or null for the built-in head. */
	model = $state.raw<AvatarModel | null>(null);
	/** True while a model downloads or parses. */
	loading = $state(false);
	/** Name of the model being loaded. */
	loadingName = $state('');
	/** 0..1 while bytes arrive; null while parsing (or when the size is unknown). */
	progress = $state<number | null>(null);
	/** Why the last choice could not be shown, if it could not. */
	error = $state<string | null>(null);
	/** What the model shown cannot do (no visemes, no blink …). */
	problems = $state.raw<string[]>([]);
	/** Said once after a change: loaded, back to default, not kept. */
	notice = $state<string | null>(null);

	#abort: AbortController | null = null;
	#disposed = false;

	/** Loads `?avatar=` if the page has one, else the avatar stored from last time. */
	async restore(pageUrl: URL): Promise<void> {
		const url = pageUrl.searchParams.get('avatar');
		if (url) return this.#load({ from: 'url', url, name: url.split('/').at(-1) || url });
		const stored = await readStoredAvatar();
		if (stored && !this.#disposed && !this.model && !this.loading) {
			await this.#load({ from: 'file', file: stored.file, name: stored.name, keep: false }, true);
		}
	}

	/** Loads a chosen or dropped file and keeps it for the next visit. */
	chooseFile(file: File): Promise<void> {
		return this.#load({ from: 'file', file, name: file.name, keep: true });
	}

	/** Loads a model from an address (not kept: the address is in the page's URL). */
	chooseUrl(url: string): Promise<void> {
		return this.#load({ from: 'url', url, name: url.split('/').at(-1) || url });
	}

	/** Back to the built-in head, now and on the next visit. */
	async useDefault(): Promise<void> {
		this.#abort?.abort();
		this.loading = false;
		this.error = null;
		this.problems = [];
		// Forget the stored file first: once the page shows the default, a reload must not bring it back.
		try {
			await forgetStoredAvatar();
		} finally {
			await this.#show(null);
			this.notice = 'Showing the default avatar.';
		}
	}

	/** Cancels any load and frees the model (the page is going away). */
	dispose(): void {
		this.#disposed = true;
		this.#abort?.abort();
		this.model?.dispose();
		this.model = null;
	}

	async #load(request: Request, restoring = false): Promise<void> {
		this.#abort?.abort();
		const abort = new AbortController();
		this.#abort = abort;
		this.loading = true;
		this.loadingName = request.name;
		this.progress = 0;
		this.error = null;
		this.notice = null;
		const onProgress = (loaded: number, total: number | null) => {
			if (!abort.signal.aborted) this.progress = total ? Math.min(1, loaded / total) : null;
		};
		try {
			const options = { onProgress, signal: abort.signal };
			const bytes =
				request.from === 'file'
					? await readModelFile(request.file, options)
					: await downloadModel(request.url, options);
			this.progress = null;
			const info = inspectGlb(bytes);
			const { loadModel } = await import('./load-model');
			abort.signal.throwIfAborted();
			const model = await loadModel(bytes, request.name, info);
			if (abort.signal.aborted || this.#disposed) {
				model.dispose();
				return;
			}
			await this.#show(model);
			this.problems = model.plan.problems;
			this.notice = `Showing ${request.name}.`;
			if (request.from === 'file' && request.keep) {
				const kept = await storeAvatar({ name: request.name, file: request.file });
				if (!kept)
					this.notice = `Showing ${request.name} (this browser will not keep it for next time).`;
			}
		} catch (error) {
			if (abort.signal.aborted) return;
			const stays = this.model ? 'The current avatar stays.' : 'The built-in head stays.';
			const what = restoring ? `Your saved avatar ${request.name}` : request.name;
			this.error = `${what} could not be loaded: ${modelErrorMessage(error)} ${stays}`;
			if (restoring) await forgetStoredAvatar();
		} finally {
			if (this.#abort === abort) {
				this.loading = false;
				this.progress = null;
				this.#abort = null;
			}
		}
	}

	/** Shows `next`; the previous model is freed once the Avatar has switched away from it. */
	async #show(next: AvatarModel | null): Promise<void> {
		const previous = this.model;
		if (previous === next) return;
		this.model = next;
		await tick();
		previous?.dispose();
	}
}
