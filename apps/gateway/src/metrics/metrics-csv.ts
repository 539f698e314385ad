import type { ProjectMetrics } from '@baton/contracts';

/** One `metric,value` row per figure; nested figures are dotted (`tasksByStatus.done`), no data is an empty value. */
export function projectMetricsCsv(m: ProjectMetrics): string {
  const rows: [string, string][] = [['projectId', m.projectId]];
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
    else rows.push([prefix, value === null || value === undefined ? '' : String(value)]);
  };
  const { projectId: _id, ...figures } = m;
  walk('', figures);
  return ['metric,value', ...rows.map(([k, v]) => `${cell(k)},${cell(v)}`)].join('\r\n') + '\r\n';
}

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed so a spreadsheet never runs it as a formula. */
function cell(value: string): string {
  const safe = /^[=+\-@]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
