/** Small statistics for benchmark samples. */

export interface Summary {
	count: number;
	p50: number;
	p95: number;
	p99: number;
	max: number;
	mean: number;
}

/** The value below which `p` percent of the sorted samples lie (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
	if (sorted.length === 0) return Number.NaN;
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** Count, p50/p95/p99, max and mean of the samples (NaN when there are none). */
export function summarize(samples: ArrayLike<number>): Summary {
	const sorted = Float64Array.from(samples).sort();
	let total = 0;
	for (const value of sorted) total += value;
	return {
		count: sorted.length,
		p50: percentile(sorted, 50),
		p95: percentile(sorted, 95),
		p99: percentile(sorted, 99),
		max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
		mean: sorted.length ? total / sorted.length : Number.NaN
	};
}

/** Joins arrays of samples from several workers into one. */
export function concat(parts: readonly ArrayLike<number>[]): Float64Array {
	const all = new Float64Array(parts.reduce((n, part) => n + part.length, 0));
	let at = 0;
	for (const part of parts) {
		all.set(part, at);
		at += part.length;
	}
	return all;
}
