import type { ProjectMetrics } from '@baton/contracts';
import { projectMetricsCsv } from './metrics-csv';

describe(projectMetricsCsv.name, () => {
  const metrics: ProjectMetrics = {
    projectId: 'p1',
    tasksByStatus: { todo: 1, ready: 0, in_progress: 0, in_review: 0, done: 2, failed: 1, cancelled: 0, blocked: 0 },
    total: 4,
    workTasks: 4,
    timeToDone: { count: 2, meanMs: 1500, p90Ms: 2000 },
    startToDone: { count: 0, meanMs: null, p90Ms: null },
    failureRate: 1 / 3,
    attemptsPerTask: null,
    sessionsPerTask: null,
  };

  it('writes one metric,value row per figure, dotted, empty for no data', () => {
    const lines = projectMetricsCsv(metrics).split('\r\n');
    expect(lines[0]).toBe('metric,value');
    expect(lines).toEqual(expect.arrayContaining(['projectId,p1', 'tasksByStatus.done,2', 'timeToDone.p90Ms,2000', 'startToDone.meanMs,', `failureRate,${1 / 3}`, 'attemptsPerTask,']));
    expect(lines[lines.length - 1]).toBe('');
  });

  it('quotes and defuses values a spreadsheet would misread', () => {
    const csv = projectMetricsCsv({ ...metrics, projectId: '=HYPERLINK("x"),1' });
    expect(csv).toContain('projectId,"\'=HYPERLINK(""x""),1"');
  });
});
