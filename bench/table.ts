/** Prints a benchmark's results as a plain-text table: figure, value(s), target. */

export interface Row {
	figure: string;
	value: string;
	/** Values of the further columns named by the table's `columns`, after `value`. */
	more?: string[];
	/** The issue's target for this figure, if it has one. */
	target?: string;
}

export interface Table {
	title: string;
	/** Headers of the value columns; one column called "value" when absent. */
	columns?: string[];
	rows: Row[];
	/** How the figures were measured. */
	notes: string[];
}

/** The table as lines of text (Markdown-compatible, so docs/benchmarks.md can quote it). */
export function formatTable(table: Table): string {
	const headers = table.columns ?? ['value'];
	const cells = (row: Row) => [row.value, ...(row.more ?? [])];
	const header = ['figure', ...headers, 'target'];
	const body = table.rows.map((row) => {
		const values = cells(row);
		return [row.figure, ...headers.map((_, i) => values[i] ?? ''), row.target ?? ''];
	});
	const widths = header.map((_, c) => Math.max(...[header, ...body].map((r) => r[c]!.length)));
	const last = header.length - 1;
	// The first and last columns are text (left), the values numbers (right).
	const pad = (text: string, c: number) =>
		c === 0 || c === last ? text.padEnd(widths[c]!) : text.padStart(widths[c]!);
	const line = (cellsOfRow: string[]) => `| ${cellsOfRow.map(pad).join(' | ')} |`;
	const rule = `| ${widths
		.map((w, c) => (c === 0 || c === last ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`))
		.join(' | ')} |`;
	const notes = table.notes.map((note, i) => `${i + 1}. ${note}`);
	return [`### ${table.title}`, '', line(header), rule, ...body.map(line), '', ...notes].join('\n');
}

/** Formats a number with a unit, `n/a` for NaN. */
export function fmt(value: number, unit = '', digits = 0): string {
	if (!Number.isFinite(value)) return 'n/a';
	const text = value.toLocaleString('en-US', {
		minimumFractionDigits: digits,
		maximumFractionDigits: digits
	});
	return unit ? `${text} ${unit}` : text;
}

/** `value / floor` as "1.23x", `n/a` when either is missing. */
export function ratio(value: number, floor: number): string {
	const r = value / floor;
	return Number.isFinite(r) ? `${r.toFixed(2)}x` : 'n/a';
}

/** Bytes as KB or MB (1 KB = 1,024 bytes). */
export function bytes(value: number): string {
	if (!Number.isFinite(value)) return 'n/a';
	return Math.abs(value) >= 1024 * 1024
		? fmt(value / (1024 * 1024), 'MB', 1)
		: fmt(value / 1024, 'KB', 2);
}
