/**
 * Gets a model's bytes from a chosen file or a URL, with progress and the size limit checked
 * before anything large is read: a file by its size, a download by Content-Length and again
 * while it streams. The first bytes are checked to be a glTF binary before the rest is read.
 */
import { GLB_PREFIX_BYTES, checkGlbHeader } from './glb';
import { MAX_MODEL_BYTES, ModelError, megabytes } from './model-error';

/** Bytes read so far, of `total` when known. */
export type ProgressListener = (loaded: number, total: number | null) => void;

export interface ReadOptions {
	maxBytes?: number;
	onProgress?: ProgressListener;
	signal?: AbortSignal;
}

function tooLarge(size: number, max: number): ModelError {
	return new ModelError(
		`This model is ${megabytes(size)}; the limit is ${megabytes(max)}. Choose a smaller file.`
	);
}

/** Reads a chosen or stored file. */
export async function readModelFile(file: Blob, options: ReadOptions = {}): Promise<ArrayBuffer> {
	const max = options.maxBytes ?? MAX_MODEL_BYTES;
	if (file.size > max) throw tooLarge(file.size, max);
	if (file.size === 0) throw new ModelError('This file is empty.');
	checkGlbHeader(new Uint8Array(await file.slice(0, GLB_PREFIX_BYTES).arrayBuffer()));
	options.signal?.throwIfAborted();
	options.onProgress?.(0, file.size);
	const bytes = await file.arrayBuffer();
	options.signal?.throwIfAborted();
	options.onProgress?.(bytes.byteLength, file.size);
	return bytes;
}

/** Downloads a model from `url` (http, https or a path on this site). */
export async function downloadModel(url: string, options: ReadOptions = {}): Promise<ArrayBuffer> {
	const max = options.maxBytes ?? MAX_MODEL_BYTES;
	let address: URL;
	try {
		address = new URL(url, location.href);
	} catch {
		throw new ModelError(`"${url}" is not an address a model can be loaded from.`);
	}
	if (address.protocol !== 'https:' && address.protocol !== 'http:') {
		throw new ModelError(`Avatars load over http or https only, not ${address.protocol}`);
	}
	let response: Response;
	try {
		response = await fetch(address, { signal: options.signal, credentials: 'omit' });
	} catch (error) {
		if (options.signal?.aborted) throw error;
		throw new ModelError(
			`The avatar at ${address.href} could not be downloaded (network error or not shared with this site).`
		);
	}
	if (!response.ok) {
		throw new ModelError(
			`The avatar at ${address.href} could not be downloaded (HTTP ${response.status}).`
		);
	}
	const length = Number(response.headers.get('content-length') ?? Number.NaN);
	const total = Number.isFinite(length) && length > 0 ? length : null;
	if (total !== null && total > max) {
		await response.body?.cancel();
		throw tooLarge(total, max);
	}
	if (!response.body) return checked(await response.arrayBuffer(), max);
	const reader = response.body.getReader();
	const chunks: Uint8Array[] = [];
	let loaded = 0;
	options.onProgress?.(0, total);
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			if (loaded < GLB_PREFIX_BYTES && loaded + value.byteLength >= GLB_PREFIX_BYTES) {
				checkGlbHeader(
					concat([...chunks, value], loaded + value.byteLength).subarray(0, GLB_PREFIX_BYTES)
				);
			}
			loaded += value.byteLength;
			if (loaded > max) throw tooLarge(loaded, max);
			chunks.push(value);
			options.onProgress?.(loaded, total);
		}
	} catch (error) {
		await reader.cancel().catch(() => undefined);
		throw error;
	}
	return checked(concat(chunks, loaded).buffer as ArrayBuffer, max);
}

function checked(bytes: ArrayBuffer, max: number): ArrayBuffer {
	if (bytes.byteLength > max) throw tooLarge(bytes.byteLength, max);
	if (bytes.byteLength === 0) throw new ModelError('The avatar address gave an empty file.');
	checkGlbHeader(new Uint8Array(bytes, 0, Math.min(bytes.byteLength, GLB_PREFIX_BYTES)));
	return bytes;
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
	const out = new Uint8Array(length);
	let at = 0;
	for (const chunk of chunks) {
		out.set(chunk, at);
		at += chunk.byteLength;
	}
	return out;
}
