/** A figure in the benchmarks' format (bench/README.md), printed by a reliability proof. */
export function benchLine(figure: { name: string; value: number; unit: string; target?: string; ok?: boolean; [k: string]: unknown }): string {
  const line = `BENCH ${JSON.stringify(figure)}`;
  process.stdout.write(`${line}\n`);
  return line;
}

export function percentile(samples: number[], p: number): number {
  if (!samples.length) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}
