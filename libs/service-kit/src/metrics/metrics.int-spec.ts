import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import { registry } from '@baton/events';
import { Broker, EventStore } from '@baton/event-store';
import { createTestNamespace, eventually, startService, type ManagedProcess, type TestNamespace } from '@baton/testing';
import { parseExposition, sampleValue, type Sample } from './__tests__/exposition';

type Service = ManagedProcess & { url: string };

/** The services as they run, scraped at `/metrics` like Prometheus would. */
describe('/metrics and correlated logs on the running services', () => {
  let ns: TestNamespace;
  const svc: Record<'tasks' | 'sessions' | 'runner' | 'gateway', Service> = {} as never;
  const scrape = async (s: Service): Promise<Sample[]> => {
    const res = await fetch(`${s.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return parseExposition(await res.text());
  };
  const api = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${svc.gateway.url}${path}`, { ...init, headers: { authorization: `Bearer ${ns.token}`, 'content-type': 'application/json', ...init.headers } });

  beforeAll(async () => {
    ns = await createTestNamespace();
    svc.tasks = await startService('tasks', { ...ns.env, LOG_LEVEL: 'debug' });
    svc.sessions = await startService('sessions', ns.env);
    svc.runner = await startService('runner', { ...ns.env, BATON_RUNNER_ID: `r-${ns.namespace}`, BATON_RUNNER_CAPACITY: '3' });
    svc.gateway = await startService('gateway', { ...ns.env, LOG_LEVEL: 'debug' });
    await eventually(async () => (await api('/api/me')).status === 200, 20_000, 'the bootstrap admin');
  }, 90_000);
  afterAll(async () => {
    for (const s of Object.values(svc)) await s?.stop();
    await ns?.cleanup();
  });

  it.each(['tasks', 'sessions', 'runner', 'gateway'] as const)('%s serves process and HTTP metrics without a token', async (name) => {
    const samples = await scrape(svc[name]);
    const names = new Set(samples.map((s) => s.name));
    for (const family of ['baton_process_cpu_user_seconds_total', 'baton_process_resident_memory_bytes', 'baton_nodejs_eventloop_lag_seconds', 'baton_http_request_duration_seconds_count']) {
      expect(names).toContain(family);
    }
    expect(samples.every((s) => s.labels.service === name)).toBe(true);
    const health = sampleValue(samples, 'baton_http_request_duration_seconds_count', { route: '/health/ready', method: 'GET', status: '200' });
    expect(health).toBeGreaterThanOrEqual(1);
  });

  it('counts, times and correlates a command sent through the gateway', async () => {
    const correlationId = `spec-${randomBytes(6).toString('hex')}`;
    const before = await scrape(svc.tasks);
    const accepted = (s: Sample[]) => sampleValue(s, 'baton_commands_total', { type: 'project.create', outcome: 'accepted', code: 'none' }) ?? 0;
    const appends = (s: Sample[]) => sampleValue(s, 'baton_event_append_duration_seconds_count', { aggregate: 'project', outcome: 'ok' }) ?? 0;

    const res = await api('/api/projects', {
      method: 'POST',
      headers: { 'x-correlation-id': correlationId },
      body: JSON.stringify({ name: 'Metrics', repository: { location: '/srv/metrics' } }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-correlation-id')).toBe(correlationId);
    const { id } = (await res.json()) as { id: string };

    const after = await scrape(svc.tasks);
    expect(accepted(after)).toBe(accepted(before) + 1);
    expect(appends(after)).toBe(appends(before) + 1);
    expect(sampleValue(after, 'baton_command_duration_seconds_count', { type: 'project.create', outcome: 'accepted' })).toBeGreaterThanOrEqual(1);

    // The correlation id travelled on the command into the events it caused …
    const broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    try {
      const { events } = await new EventStore(broker, registry).load({ type: 'project', id });
      expect(events.map((e) => e.correlationId)).toEqual([correlationId]);
    } finally {
      await broker.close();
    }
    // … and onto the log lines of its handling, in the tasks service and the gateway.
    const line = await eventually(() => jsonLines(svc.tasks.output()).find((l) => l.msg === 'command handled' && l.correlationId === correlationId), 5_000, 'the command log line');
    expect(line).toMatchObject({ service: 'tasks', commandType: 'project.create', status: 'accepted' });
    expect(typeof line.commandId).toBe('string');
    const request = await eventually(() => jsonLines(svc.gateway.output()).find((l) => l.msg === 'http request' && l.correlationId === correlationId), 5_000, 'the request log line');
    expect(request).toMatchObject({ method: 'POST', route: '/api/projects', status: '201' });

    const gateway = await scrape(svc.gateway);
    expect(sampleValue(gateway, 'baton_http_request_duration_seconds_count', { method: 'POST', route: '/api/projects', status: '201' })).toBeGreaterThanOrEqual(1);
  });

  it('counts a rejection by its code', async () => {
    const rejected = (s: Sample[]) => sampleValue(s, 'baton_commands_total', { type: 'project.rename', outcome: 'rejected', code: 'not_found' }) ?? 0;
    const before = rejected(await scrape(svc.tasks));
    const res = await api(`/api/projects/${ulid()}/rename`, { method: 'POST', body: JSON.stringify({ name: 'Nobody' }) });
    expect(res.status).toBe(404);
    expect(rejected(await scrape(svc.tasks))).toBe(before + 1);
  });

  it('makes a correlation id when the client sends none or a malformed one, and never logs the bearer token', async () => {
    const none = await api('/api/me');
    expect(none.headers.get('x-correlation-id')).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const bad = await api('/api/me', { headers: { 'x-correlation-id': 'has spaces and "quotes"' } });
    expect(bad.headers.get('x-correlation-id')).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(svc.gateway.output()).not.toContain(ns.token);
  });

  it('shows read models’ lag per projection, caught up after a command', async () => {
    await eventually(async () => {
      const samples = await scrape(svc.tasks);
      const lag = samples.filter((s) => s.name === 'baton_projection_lag_events');
      return lag.length > 0 && lag.every((s) => s.value === 0) && samples.some((s) => s.name === 'baton_projection_lag_seconds');
    }, 10_000, 'every projection caught up');
    const samples = await scrape(svc.tasks);
    expect(samples.find((s) => s.name === 'baton_projection_events_applied_total' && s.value >= 1)).toBeDefined();
    expect(samples.find((s) => s.name === 'baton_projection_last_applied_event_timestamp_seconds' && s.value > Date.now() / 1000 - 120)).toBeDefined();
    // No read model is held by an event it cannot apply.
    const failures = samples.filter((s) => s.name === 'baton_projection_failures');
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((s) => s.value === 0)).toBe(true);
  });

  it('shows sessions by status from the sessions read model', async () => {
    const samples = await scrape(svc.sessions);
    const byStatus = samples.filter((s) => s.name === 'baton_sessions');
    expect(byStatus.map((s) => s.labels.status)).toEqual(expect.arrayContaining(['pending', 'working', 'failed']));
    expect(byStatus.every((s) => s.value === 0)).toBe(true);
  });

  it('shows the runner’s capacity, use and terminal output', async () => {
    const samples = await scrape(svc.runner);
    expect(sampleValue(samples, 'baton_runner_capacity', {})).toBe(3);
    expect(sampleValue(samples, 'baton_runner_sessions', {})).toBe(0);
    expect(sampleValue(samples, 'baton_terminal_bytes_published_total', {})).toBe(0);
    expect(samples.find((s) => s.name === 'baton_runner_capacity')?.labels.runner).toBe(`r-${ns.namespace}`);
  });
});

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}
