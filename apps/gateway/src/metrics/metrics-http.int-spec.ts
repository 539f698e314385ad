import { CommandAccepted, ProjectMetrics } from '@baton/contracts';
import { startApi, type Api } from '../openapi/__tests__/api-harness';

describe('project metrics over REST, as JSON and as CSV', () => {
  let api: Api;
  let projectId: string;
  let seq = 0;

  beforeAll(async () => {
    api = await startApi();
    projectId = CommandAccepted.parse((await api.call('POST', '/api/projects', { name: 'Metrics', repository: { location: '/srv/m' } })).body).id;
    const write = async (method: string, path: string, body?: unknown) => {
      const accepted = CommandAccepted.parse((await api.call(method, path, body)).body);
      seq = Math.max(seq, accepted.seq);
      return accepted.id;
    };
    const [a, b] = [await write('POST', `/api/projects/${projectId}/tasks`, { title: 'a' }), await write('POST', `/api/projects/${projectId}/tasks`, { title: 'b' })];
    await write('POST', `/api/projects/${projectId}/tasks`, { title: 'c' });
    const parent = await write('POST', `/api/projects/${projectId}/tasks`, { title: 'epic' });
    await write('POST', `/api/projects/${projectId}/tasks`, { title: 'leaf', parentId: parent });
    const attempt = await write('POST', `/api/tasks/${a}/attempts`, {});
    await write('POST', `/api/attempts/${attempt}/finish`, { outcome: 'merged' });
    await write('POST', `/api/tasks/${b}/fail`, { reason: 'no' });
  }, 60_000);
  afterAll(() => api?.close());

  it('answers the figures as JSON', async () => {
    const res = await api.call('GET', `/api/projects/${projectId}/metrics?minSeq=${seq}`);
    expect(res.status).toBe(200);
    const m = ProjectMetrics.parse(res.body);
    expect(m).toMatchObject({ projectId, total: 5, workTasks: 4, failureRate: 0.5, attemptsPerTask: 1 });
    // c, the leaf and the epic (its roll-up) are ready: the board counts parents, the rates do not.
    expect(m.tasksByStatus).toMatchObject({ done: 1, failed: 1, ready: 3, todo: 0 });
    expect(m.timeToDone.count).toBe(1);
    expect(m.startToDone.count).toBe(1);
  });

  it('answers the same figures as CSV', async () => {
    const res = await api.call('GET', `/api/projects/${projectId}/metrics.csv?minSeq=${seq}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('metric,value');
    const rows = new Map(lines.slice(1).map((l) => l.split(',') as [string, string]));
    expect(rows.get('projectId')).toBe(projectId);
    expect(rows.get('tasksByStatus.done')).toBe('1');
    expect(rows.get('tasksByStatus.failed')).toBe('1');
    expect(rows.get('failureRate')).toBe('0.5');
    expect(rows.get('total')).toBe('5');
    expect(rows.get('sessionsPerTask')).toBe('');
    expect(Number(rows.get('timeToDone.meanMs'))).toBeGreaterThanOrEqual(0);
  });

  it('answers 404 for a project that does not exist', async () => {
    expect((await api.call('GET', '/api/projects/missing/metrics')).status).toBe(404);
    expect((await api.call('GET', '/api/projects/missing/metrics.csv')).status).toBe(404);
  });
});
