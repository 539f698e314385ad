import type { AutopilotStatus, SessionView } from '@baton/contracts';
import { DEFAULT_AUTOPILOT_SETTINGS } from '@baton/events';
import { formatAutopilot } from './autopilot';

const t = (n: number, title: string, o: Partial<AutopilotStatus['tasks'][number]> = {}): AutopilotStatus['tasks'][number] => ({
  taskId: `t${n}`,
  number: n,
  title,
  status: 'todo',
  parentId: null,
  dependsOn: [],
  waitingOn: [],
  attempts: 0,
  activeAttemptId: null,
  failures: 0,
  gaveUp: false,
  hold: null,
  heldBy: null,
  planning: false,
  ...o,
});

describe('formatAutopilot', () => {
  const status: AutopilotStatus = {
    projectId: 'p1',
    settings: { ...DEFAULT_AUTOPILOT_SETTINGS, enabled: true },
    state: 'running',
    tasks: [
      t(1, 'Goal', { status: 'in_progress' }),
      t(2, 'API', { parentId: 't1', status: 'in_progress', attempts: 2, failures: 1, activeAttemptId: 'a2' }),
      t(3, 'UI', { parentId: 't1', status: 'todo', dependsOn: ['t2'], waitingOn: ['t2'] }),
      t(4, 'Writer', { parentId: 't1', status: 'in_review', attempts: 1, hold: 'merge_conflict', heldBy: 't1' }),
    ],
    needsInput: [{ taskId: 't4', attemptId: 'a4', heldTaskId: 't1', into: 'main', files: ['SHARED.md'], message: 'merging x into main conflicts in 1 file: SHARED.md' }],
    decisions: [{ seq: 9, at: '2026-11-21T10:00:01.000Z', type: 'project.autopilot_task_dispatched', taskId: 't2', summary: 'attempt 2 started' }],
    seq: 9,
  };
  const running = new Map([['a2', { id: 's9', runnerId: 'r-2', status: 'working' } as SessionView]]);

  it('prints the tree with where each task runs, what it waits on, retries, holds, needs-input and decisions', () => {
    expect(formatAutopilot(status, running)).toBe(
      [
        'autopilot RUNNING — template baton-demo-agent, up to 3 attempt(s), on success: merge, decompose depth 1',
        'tasks: 2 in_progress, 1 todo, 1 in_review',
        '',
        '▶ #1 Goal [in_progress]',
        '  ▶ #2 API [in_progress] — on r-2 (session s9 working); attempt 2, 1 failed',
        '  · #3 UI [todo] — waits on #2',
        '  ◎ #4 Writer [in_review] — attempt 1',
        '',
        'NEEDS INPUT:',
        '  #4 (attempt a4): merging x into main conflicts in 1 file: SHARED.md',
        '',
        'latest decisions:',
        '  10:00:01 #2 attempt 2 started',
        '',
      ].join('\n'),
    );
  });
});
