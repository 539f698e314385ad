import type { ProjectMetrics, RunnerView } from '@baton/contracts';
import { api, command, read, request } from '../../../api/http';
import { consistency } from '../../../api/consistency';
import { credentials } from '../../../api/credentials';

export const fleetApi = {
  runners: (signal?: AbortSignal) => read<RunnerView[]>('/api/runners', {}, signal),
  drain: (id: string, draining: boolean) => command('POST', api`/api/runners/${id}/drain`, { draining, reason: draining ? 'drained from the console' : '' }),
  capacity: (id: string, capacity: number) => command('POST', api`/api/runners/${id}/capacity`, { capacity }),
  metrics: (projectId: string, signal?: AbortSignal) => read<ProjectMetrics>(api`/api/projects/${projectId}/metrics`, {}, signal),
};

/** The metrics CSV, fetched with the bearer token (a plain link would not carry it), saved as a file. */
export async function downloadMetricsCsv(projectId: string, name: string): Promise<void> {
  const res = await fetch(`${api`/api/projects/${projectId}/metrics.csv`}?minSeq=${consistency.minSeq}`, { headers: { authorization: `Bearer ${credentials.current ?? ''}` } });
  if (!res.ok) {
    await request(api`/api/projects/${projectId}/metrics.csv`); // throws the API's error
    return;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name.replace(/[^A-Za-z0-9_-]+/g, '-')}-metrics.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
