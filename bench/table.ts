/** Prints a benchmark's results as a plain-text table: figure, value, target. */

export interface Row {
	figure: string;
	value: string;
	/** The target for this figure, if it has one. */
	target?: string;
}

export interface Table {
	title: string;
	rows: Row[];
	/** How the figures were measured. */
	notes: string[];
}

/** The table as lines of text (Markdown-compatible, so docs/benchmarks.md can quote it). */
export function formatTable(table: Table): string {
	const header: Row = { figure: 'figure', value: 'value', target: 'target' };
	const rows = [header, ...table.rows];
	const width = (pick: (row: Row) => string) => Math.max(...rows.map((row) => pick(row).length));
	const w = [width((r) => r.figure), width((r) => r.value), width((r) => r.target ?? '')];
	const line = (row: Row) =>
		`| ${row.figure.padEnd(w[0] as number)} | ${row.value.padStart(w[1] as number)} | ` +
		`${(row.target ?? '').padEnd(w[2] as number)} |`;
	const rule = `| ${'-'.repeat(w[0] as number)} | ${'-'.repeat((w[1] as number) - 1)}: | ${'-'.repeat(w[2] as number)} |`;
	const notes = table.notes.map((note, i) => `${i + 1}. ${note}`);
	return [`### ${table.title}`, '', line(header), rule, ...table.rows.map(line), '', ...notes].join(
		'\n'
	);
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

/** Bytes as KB or MB (1 KB = 1,024 bytes). */
export function bytes(value: number): string {
	if (!Number.isFinite(value)) return 'n/a';
	return Math.abs(value) >= 1024 * 1024
		? fmt(value / (1024 * 1024), 'MB', 1)
		: fmt(value / 1024, 'KB', 2);
}
