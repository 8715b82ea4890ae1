/**
 * Whether the console tells the connection's story: always under `npm run dev`; elsewhere when the
 * page is opened with `?debug`, or when `localStorage.debug` names `talkline` in the `debug`
 * package's convention (comma- or space-separated names, `*` as a wildcard, `-name` to exclude).
 */
export const NAMESPACE = 'talkline';

export function narrationEnabled(options: {
	dev: boolean;
	pageUrl: URL;
	storage: Storage | null;
}): boolean {
	if (options.dev || options.pageUrl.searchParams.has('debug')) return true;
	let setting: string | null = null;
	try {
		setting = options.storage?.getItem('debug') ?? null;
	} catch {
		return false;
	}
	return setting !== null && debugMatches(setting, NAMESPACE);
}

/** The `debug` package's rule: the last matching name decides; exclusions win over inclusions. */
export function debugMatches(setting: string, namespace: string): boolean {
	const names = setting.split(/[\s,]+/).filter(Boolean);
	const test = (pattern: string) =>
		new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*?')}$`).test(
			namespace
		);
	if (names.some((name) => name.startsWith('-') && test(name.slice(1)))) return false;
	return names.some((name) => !name.startsWith('-') && test(name));
}
