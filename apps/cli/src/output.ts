import { escapeUnsafeInJson, safeText } from '@baton/contracts';

/** Human tables by default; `--json` prints the raw answer for scripts. */

const MAX_CELL = 60;

/** One cell as text: lists joined, objects as JSON, nothing as "-". */
export function cellText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length ? value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ') : '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Cells are one line each, with no control in them (a title with an escape sequence). */
export function formatTable(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  if (!rows.length) return '(none)\n';
  const header = columns.map((c) => c.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase());
  const cells = rows.map((r) => columns.map((c) => clip(safeText(cellText(r[c])), MAX_CELL)));
  const widths = columns.map((_c, i) => Math.max(header[i].length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return `${[line(header), ...cells.map(line)].join('\n')}\n`;
}

/** One record as `field: value` lines, for `show`. Cells are one line each, with no control in them. */
export function formatRecord(record: Record<string, unknown>, fields: readonly string[]): string {
  const width = Math.max(...fields.map((f) => f.length));
  return fields.map((f) => `${`${f}:`.padEnd(width + 1)} ${safeText(cellText(record[f]))}`.trimEnd()).join('\n') + '\n';
}

/** Exact data; C1 and bidi controls (JSON.stringify leaves them raw) written as `\uXXXX`. */
export function formatJson(value: unknown): string {
  return `${escapeUnsafeInJson(JSON.stringify(value, null, 2))}\n`;
}

export function printTable(rows: readonly Record<string, unknown>[], columns: readonly string[]): void {
  process.stdout.write(formatTable(rows, columns));
}

export function printJson(value: unknown): void {
  process.stdout.write(formatJson(value));
}
