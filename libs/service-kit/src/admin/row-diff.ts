import type { RowDifference } from './admin-types';

/** One row as compared: its id and its whole content as canonical JSON (Postgres `to_jsonb(row)::text`). */
export interface ComparableRow {
  id: string;
  json: string;
}

export interface RowDiffResult {
  left: number;
  right: number;
  onlyLeft: number;
  onlyRight: number;
  different: number;
  sample: RowDifference[];
}

/** Byte order of the UTF-8 encodings: what `ORDER BY id COLLATE "C"` sorts by. */
export function compareIds(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The top-level keys whose values differ between two JSON objects. */
export function differingColumns(left: string, right: string): string[] {
  let a: Record<string, unknown>;
  let b: Record<string, unknown>;
  try {
    a = JSON.parse(left) as Record<string, unknown>;
    b = JSON.parse(right) as Record<string, unknown>;
  } catch {
    return [];
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

/**
 * Merge-compares two streams of rows sorted by id (left: live, right: rebuilt), in constant
 * memory: counts rows only on one side and rows that differ, and keeps the first `sampleSize`.
 */
export async function diffSortedRows(left: AsyncIterable<ComparableRow>, right: AsyncIterable<ComparableRow>, sampleSize: number): Promise<RowDiffResult> {
  const out: RowDiffResult = { left: 0, right: 0, onlyLeft: 0, onlyRight: 0, different: 0, sample: [] };
  const note = (d: RowDifference) => {
    if (out.sample.length < sampleSize) out.sample.push(d);
  };
  const l = left[Symbol.asyncIterator]();
  const r = right[Symbol.asyncIterator]();
  let a = await l.next();
  let b = await r.next();
  while (!a.done || !b.done) {
    const order = a.done ? 1 : b.done ? -1 : compareIds(a.value.id, b.value.id);
    if (order < 0) {
      out.left++;
      out.onlyLeft++;
      note({ id: a.value.id, kind: 'only_live' });
      a = await l.next();
    } else if (order > 0) {
      out.right++;
      out.onlyRight++;
      note({ id: (b.value as ComparableRow).id, kind: 'only_rebuilt' });
      b = await r.next();
    } else {
      out.left++;
      out.right++;
      if (a.value.json !== (b.value as ComparableRow).json) {
        out.different++;
        note({ id: a.value.id, kind: 'different', columns: differingColumns(a.value.json, (b.value as ComparableRow).json) });
      }
      a = await l.next();
      b = await r.next();
    }
  }
  return out;
}
