import { InvalidArgumentError } from 'commander';

/**
 * `0.5`, `50%` and `50` all mean half done. A bare number above 1 reads as a percentage
 * (agents type `50` as often as `0.5`); anything outside 0..100 % is refused.
 */
export function parseProgress(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(v);
  if (!m) throw new InvalidArgumentError('must be a fraction 0..1 or a percentage such as 40%');
  const n = Number(m[1]);
  const fraction = m[2] === '%' || n > 1 ? n / 100 : n;
  if (!Number.isFinite(fraction) || fraction < 0 || fraction > 1) throw new InvalidArgumentError('must be between 0 and 1 (0% to 100%)');
  return Math.round(fraction * 10_000) / 10_000;
}

/** `0.256` → `26%`. */
export function formatPercent(fraction: number): string {
  return `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

/** `[██████░░░░░░░░░░]  38%` — fixed width, so successive lines line up in a terminal. */
export function progressBar(fraction: number, width = 20): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${formatPercent(f).padStart(4)}`;
}
