import type { LiveEventMessage, TaskView } from '@baton/contracts';
import { applyTaskEvent, boardColumns, planStatusMove, rollup, toTaskMap, treeRows, wouldUnblock, type TaskMap } from './tasks.store';

const task = (id: string, over: Partial<TaskView> = {}): TaskView => ({
  id,
  projectId: 'P',
  number: Number(id.replace(/\D/g, '')) || 1,
  parentId: null,
  title: `Task ${id}`,
  description: '',
  acceptanceCriteria: [],
  priority: 2,
  labels: [],
  executionMode: 'interactive',
  status: 'todo',
  blockedBy: null,
  dependsOn: [],
  dependants: [],
  childCount: 0,
  activeAttemptId: null,
  attemptCount: 0,
  sessionCount: 0,
  messageCount: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  doneAt: null,
  finishedAt: null,
  ...over,
});

let seq = 0;
const ev = (type: string, data: Record<string, unknown>, aggregate = { type: 'project', id: 'P' }): LiveEventMessage =>
  ({ seq: ++seq, event: { id: `e${seq}`, type, version: 1, aggregate, occurredAt: `2026-01-01T00:00:${String(seq % 60).padStart(2, '0')}.000Z`, actor: { kind: 'user', id: 'u' }, correlationId: 'c', causationId: 'c', data } }) as unknown as LiveEventMessage;

describe(applyTaskEvent.name, () => {
  const given = (m: TaskMap, ...events: LiveEventMessage[]) => events.reduce((s, e) => applyTaskEvent(s, e, 'P'), m);

  it('adds a task with its dependency edges both ways and counts it under its parent', () => {
    const m = toTaskMap([task('T1'), task('T9', { childCount: 0 })]);
    const added = ev('project.task_added', { taskId: 'T2', number: 2, parentId: 'T9', title: 'B', description: '', acceptanceCriteria: ['x'], priority: 1, labels: [], executionMode: 'interactive', dependsOn: [{ taskId: 'T1', condition: 'success' }] });
    const sut = given(m, added, added);
    expect(sut.T2).toMatchObject({ status: 'todo', number: 2, acceptanceCriteria: ['x'], dependsOn: [{ taskId: 'T1' }] });
    expect(sut.T1.dependants).toEqual(['T2']);
    expect(sut.T9.childCount).toBe(1); // applied twice, counted once
  });

  it('moves status, blocks with reasons, and clears them when unblocked', () => {
    const m = toTaskMap([task('T1'), task('T2')]);
    const blocked = given(m, ev('project.task_blocked', { taskId: 'T2', from: 'todo', blockedBy: [{ taskId: 'T1', condition: 'success', status: 'failed', via: null }] }));
    expect(blocked.T2).toMatchObject({ status: 'blocked', blockedBy: [{ taskId: 'T1' }] });
    const ready = given(blocked, ev('project.task_status_changed', { taskId: 'T2', from: 'blocked', to: 'ready', cause: 'reopened' }));
    expect(ready.T2).toMatchObject({ status: 'ready', blockedBy: null });
    const done = given(ready, ev('project.task_status_changed', { taskId: 'T2', from: 'ready', to: 'done', cause: 'marked_done' }));
    expect(done.T2.doneAt).not.toBeNull();
    expect(done.T2.finishedAt).not.toBeNull();
  });

  it('edits only the details named, tracks dependencies, attempts and removal', () => {
    const m = toTaskMap([task('T1'), task('T2', { dependsOn: [{ taskId: 'T1', condition: 'success' }] }), task('T3')]);
    let sut = given(m, ev('project.task_details_changed', { taskId: 'T1', title: 'Renamed' }));
    expect(sut.T1).toMatchObject({ title: 'Renamed', priority: 2 });
    sut = given(sut, ev('project.task_dependency_added', { taskId: 'T3', dependsOnTaskId: 'T1', condition: 'any' }));
    expect(sut.T3.dependsOn).toEqual([{ taskId: 'T1', condition: 'any' }]);
    expect(sut.T1.dependants).toEqual(['T3']);
    sut = given(sut, ev('project.task_dependency_removed', { taskId: 'T3', dependsOnTaskId: 'T1' }));
    expect(sut.T3.dependsOn).toEqual([]);
    sut = given(sut, ev('project.task_attempt_started', { taskId: 'T1', attemptId: 'A1', number: 1, branch: 'b', baseBranch: 'main', promptVersionId: null, sessionTemplateId: null }));
    expect(sut.T1).toMatchObject({ activeAttemptId: 'A1', attemptCount: 1 });
    sut = given(sut, ev('project.task_attempt_finished', { taskId: 'T1', attemptId: 'A1', outcome: 'merged' }));
    expect(sut.T1.activeAttemptId).toBeNull();
    sut = given(sut, ev('project.task_removed', { taskId: 'T1', parentId: null }));
    expect(sut.T1).toBeUndefined();
    expect(sut.T2.dependsOn).toEqual([]);
  });

  it('ignores other projects and other aggregates', () => {
    const m = toTaskMap([task('T1')]);
    expect(applyTaskEvent(m, ev('project.task_details_changed', { taskId: 'T1', title: 'x' }, { type: 'project', id: 'OTHER' }), 'P')).toBe(m);
    expect(applyTaskEvent(m, ev('session.ready', {}, { type: 'session', id: 'S' }), 'P')).toBe(m);
  });
});

describe(planStatusMove.name, () => {
  const t = (status: TaskView['status'], over: Partial<TaskView> = {}) => task('T7', { status, number: 7, ...over });

  it.each([
    ['ready', 'done', 'complete'],
    ['in_progress', 'failed', 'fail'],
    ['todo', 'cancelled', 'cancel'],
    ['done', 'ready', 'reopen'],
    ['failed', 'todo', 'reopen'],
    ['cancelled', 'ready', 'reopen'],
    ['blocked', 'cancelled', 'cancel'],
  ] as const)('maps %s → %s to %s', (from, to, verb) => {
    expect(planStatusMove(t(from), to)).toMatchObject({ kind: 'command', verb, needsReason: verb === 'fail' });
  });

  it.each([
    ['ready', 'in_progress', /Start an attempt/],
    ['ready', 'in_review', /asks for review/],
    ['todo', 'blocked', /blocked by Baton/],
    ['todo', 'ready', /dependencies are met/],
    ['done', 'failed', /reopen it before failing/],
    ['done', 'cancelled', /reopen it before cancelling/],
  ] as const)('refuses %s → %s with the reason', (from, to, why) => {
    const sut = planStatusMove(t(from), to);
    expect(sut.kind).toBe('refused');
    expect(sut.kind === 'refused' && sut.message).toMatch(why);
  });

  it('refuses to complete a task with an active attempt, and any move of a parent', () => {
    expect(planStatusMove(t('in_progress', { activeAttemptId: 'A' }), 'done')).toMatchObject({ kind: 'refused', message: expect.stringMatching(/active attempt/) });
    expect(planStatusMove(t('todo', { childCount: 2 }), 'done')).toMatchObject({ kind: 'refused', message: expect.stringMatching(/rolls up/) });
    expect(planStatusMove(t('todo'), 'todo')).toEqual({ kind: 'none' });
  });
});

describe(wouldUnblock.name, () => {
  it('names the dependants whose every other dependency is already met', () => {
    const m = toTaskMap([
      task('T1', { status: 'in_progress', dependants: ['T2', 'T3', 'T4'] }),
      task('T2', { dependsOn: [{ taskId: 'T1', condition: 'success' }] }),
      task('T3', { dependsOn: [{ taskId: 'T1', condition: 'success' }, { taskId: 'T5', condition: 'success' }] }),
      task('T4', { status: 'todo', dependsOn: [{ taskId: 'T1', condition: 'failure' }] }),
      task('T5', { status: 'ready' }),
    ]);
    expect(wouldUnblock(m, 'T1').map((t) => t.id)).toEqual(['T2']);
    expect(wouldUnblock(m, 'T1', 'failed').map((t) => t.id)).toEqual(['T4']);
  });
});

describe(boardColumns.name, () => {
  it('shows work (leaves) by status, most urgent first', () => {
    const m = toTaskMap([task('T1', { priority: 3, status: 'ready' }), task('T2', { priority: 0, status: 'ready' }), task('T3', { childCount: 1 })]);
    const sut = boardColumns(m);
    expect(sut.ready.map((t) => t.id)).toEqual(['T2', 'T1']);
    expect(sut.todo).toEqual([]);
  });
});

describe(treeRows.name, () => {
  it('lists parents before children, skipping collapsed subtrees, and rolls up done leaves', () => {
    const m = toTaskMap([task('T1', { childCount: 2 }), task('T2', { parentId: 'T1', status: 'done' }), task('T3', { parentId: 'T1' }), task('T4')]);
    expect(treeRows(m, new Set()).map((r) => [r.task.id, r.depth])).toEqual([
      ['T1', 0],
      ['T2', 1],
      ['T3', 1],
      ['T4', 0],
    ]);
    expect(treeRows(m, new Set(['T1'])).map((r) => r.task.id)).toEqual(['T1', 'T4']);
    expect(rollup(m, 'T1')).toEqual({ done: 1, total: 2 });
  });
});
