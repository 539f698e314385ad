import { measureProjectionLag } from './projection-lag';
import { routeLabel } from './http-metrics';
import { ServiceMetrics } from './service-metrics';
import { parseExposition, sampleValue } from './__tests__/exposition';

describe(measureProjectionLag.name, () => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  const source = (checkpoints: Record<string, number>, lastSeq: number) => ({
    projections: ['projects', 'tasks', 'fresh'],
    checkpoints: async () => checkpoints,
    lastSeq: async () => lastSeq,
    appendedAt: async (seq: number) => now - (lastSeq - seq + 1) * 1_000,
  });

  it('is the log’s last sequence minus the checkpoint, and the age of the oldest event not applied', async () => {
    expect(await measureProjectionLag(source({ projects: 10, tasks: 7 }, 10), now)).toEqual({
      projects: { events: 0, seconds: 0 },
      tasks: { events: 3, seconds: 3 },
      fresh: { events: 10, seconds: 10 },
    });
  });

  it('says 0 seconds when the oldest pending event cannot be read', async () => {
    const lag = await measureProjectionLag({ ...source({ projects: 1 }, 5), appendedAt: async () => null }, now);
    expect(lag.projects).toEqual({ events: 4, seconds: 0 });
  });
});

describe(routeLabel.name, () => {
  it('uses the matched pattern, never the raw path', () => {
    expect(routeLabel({ baseUrl: '', route: { path: '/api/projects/:id' } }, 200)).toBe('/api/projects/:id');
    expect(routeLabel({ baseUrl: '/api', route: { path: '/me' } }, 200)).toBe('/api/me');
    expect(routeLabel({ baseUrl: '' }, 404)).toBe('unmatched');
    expect(routeLabel({ baseUrl: '' }, 200)).toBe('other');
  });
});

describe(ServiceMetrics.name, () => {
  it('names every family baton_* and labels it with the service', async () => {
    const sut = new ServiceMetrics('tasks');
    sut.commandObserver()({ status: 'rejected', commandId: 'c1', code: 'conflict', message: 'x' }, 12, { type: 'task.create' });
    sut.appendObserver().onAppend?.({ type: 'project', id: 'p1' }, 2, 3, 'ok');
    sut.projectionObserver()('projects', 5, 2, 4, Date.parse('2026-01-01T00:00:00Z'));
    const samples = parseExposition((await sut.render()).body);
    expect(samples.every((s) => s.name.startsWith('baton_') && s.labels.service === 'tasks')).toBe(true);
    expect(sampleValue(samples, 'baton_commands_total', { type: 'task.create', outcome: 'rejected', code: 'conflict' })).toBe(1);
    expect(sampleValue(samples, 'baton_command_duration_seconds_sum', { type: 'task.create' })).toBeCloseTo(0.012);
    expect(sampleValue(samples, 'baton_event_append_duration_seconds_count', { aggregate: 'project', outcome: 'ok' })).toBe(1);
    expect(sampleValue(samples, 'baton_projection_events_applied_total', { projection: 'projects' })).toBe(2);
    expect(sampleValue(samples, 'baton_projection_last_applied_event_timestamp_seconds', { projection: 'projects' })).toBe(Date.parse('2026-01-01T00:00:00Z') / 1000);
  });

  it('registers command families only in processes that handle commands', async () => {
    const names = parseExposition((await new ServiceMetrics('gateway', { defaultMetrics: false }).render()).body).map((s) => s.name);
    expect(names.some((n) => n.startsWith('baton_command'))).toBe(false);
  });
});
