import {
  ProjectArchived,
  RecordAttemptWorkspace,
  RequestAttemptChanges,
  RequestAttemptReview,
  TaskAttemptChangesRequested,
  TaskAttemptFinished,
  TaskAttemptReviewRequested,
  TaskAttemptStarted,
  TaskAttemptWorkspacePrepared,
  TaskStatusChanged,
  isDomainError,
} from '@baton/events';
import { deciderSpec, recorded } from '@baton/testing';
import { cancel, cmd, complete, create, fail, finish, history, P, start, statusChanges } from './__tests__/graph-fixtures';
import { projectAggregateDecider } from './project-aggregate.decider';

const ATT1 = '01JATTEMPT00000000000AAAA1';
const ATT2 = '01JATTEMPT00000000000BBBB2';
const review = (taskId: string, attemptId: string) => cmd(RequestAttemptReview, { projectId: 'p1', taskId, attemptId });
const changes = (taskId: string, attemptId: string) => cmd(RequestAttemptChanges, { projectId: 'p1', taskId, attemptId, comment: 'rename it' });
const workspace = (taskId: string, attemptId: string) =>
  cmd(RecordAttemptWorkspace, { projectId: 'p1', taskId, attemptId, baseCommit: 'abc1234', worktreePath: '/w/a', runnerId: 'r1' });

describe('task graph: attempts', () => {
  const sut = deciderSpec(projectAggregateDecider);
  const task = history(create('a', { title: 'Add OAuth login (GitHub)' }), create('b', { dependsOn: ['a'] }));
  const running = history(create('a', { title: 'Add OAuth login (GitHub)' }), create('b', { dependsOn: ['a'] }), start('a', ATT1));

  it('starts an attempt on its own branch from the default branch, and the task is in progress in the same decision', () => {
    sut
      .given(task)
      .when(start('a', ATT1))
      .then([
        TaskAttemptStarted({
          taskId: 'a',
          attemptId: ATT1,
          number: 1,
          branch: 'baton/add-oauth-login-github-000aaaa1',
          baseBranch: 'main',
          promptVersionId: null,
          sessionTemplateId: null,
        }),
        TaskStatusChanged({ taskId: 'a', from: 'ready', to: 'in_progress', cause: 'attempt_started', attemptId: ATT1 }),
      ]);
  });

  it('starts from a named base branch', () => {
    const [started] = sut.given(task).when(start('a', ATT1, { baseBranch: 'release/2.0' })).thenEvents();
    expect(started.data).toMatchObject({ baseBranch: 'release/2.0' });
  });

  it('refuses a second active attempt with 409 naming the active one', () => {
    sut.given(running).when(start('a', ATT2)).thenThrows('conflict', new RegExp(`active attempt ${ATT1}`));
    try {
      projectAggregateDecider.decide(start('a', ATT2), sut.given(running).state);
    } catch (e) {
      expect(isDomainError(e) && e.details).toEqual({ taskId: 'a', activeAttemptId: ATT1 });
    }
  });

  it('supersedes the active attempt when asked, in one decision', () => {
    const events = sut.given(running).when(start('a', ATT2, { supersede: true })).thenEvents();
    expect(events[0]).toEqual(TaskAttemptFinished({ taskId: 'a', attemptId: ATT1, outcome: 'superseded', reason: `superseded by attempt ${ATT2}` }));
    expect(events[1]).toMatchObject({ type: 'project.task_attempt_started', data: { attemptId: ATT2, number: 2 } });
    expect(statusChanges(events)).toEqual({});
  });

  it('allows a new attempt after the active one finished; a failed task is retried', () => {
    const ended = history(create('a'), start('a', ATT1), finish('a', ATT1, 'abandoned'));
    expect(sut.given(ended).when(start('a', ATT2)).thenEvents()[0]).toMatchObject({ data: { number: 2 } });
    const failed = history(create('a'), start('a', ATT1), fail('a'));
    expect(statusChanges(sut.given(failed).when(start('a', ATT2)).thenEvents())).toEqual({ a: 'in_progress' });
  });

  it('refuses attempts on done, cancelled and parent tasks, in archived projects, and a reused attempt id', () => {
    sut.given(history(create('a'), complete('a'))).when(start('a')).thenThrows('invalid_state', /done; reopen/);
    sut.given(history(create('a'), cancel('a'))).when(start('a')).thenThrows('invalid_state', /cancelled; reopen/);
    sut.given(history(create('p'), create('c', { parent: 'p' }))).when(start('p')).thenThrows('invalid_state', /subtasks/);
    sut.given([...task, recorded(P, ProjectArchived({}))]).when(start('a')).thenThrows('invalid_state', /archived/);
    sut.given(history(create('a'), create('z'), start('a', ATT1))).when(start('z', ATT1)).thenThrows('conflict', /already exists/);
    sut.given(task).when(start('nope')).thenThrows('not_found');
  });

  it('keeps branch names unique in the project when short ids collide', () => {
    const given = history(create('a', { title: 'Same' }), create('b', { title: 'Same' }), start('a', 'x-11112222'));
    const [started] = sut.given(given).when(start('b', 'y-11112222')).thenEvents();
    expect(started.data).toMatchObject({ branch: 'baton/same-y11112222' });
  });

  it('records where the worktree is and which commit it branched from', () => {
    sut.given(running).when(workspace('a', ATT1)).then([TaskAttemptWorkspacePrepared({ taskId: 'a', attemptId: ATT1, baseCommit: 'abc1234', worktreePath: '/w/a', runnerId: 'r1' })]);
    sut.given(running).when(workspace('a', 'ghost')).thenThrows('not_found');
    sut.given(running).when(workspace('b', ATT1)).thenThrows('not_found');
    sut.given(history(create('a'), start('a', ATT1), finish('a', ATT1, 'abandoned'))).when(workspace('a', ATT1)).thenThrows('invalid_state', /finished/);
  });

  it('goes to review and back to work', () => {
    sut
      .given(running)
      .when(review('a', ATT1))
      .then([
        TaskAttemptReviewRequested({ taskId: 'a', attemptId: ATT1 }),
        TaskStatusChanged({ taskId: 'a', from: 'in_progress', to: 'in_review', cause: 'review_requested', attemptId: ATT1 }),
      ]);
    const inReview = history(create('a'), start('a', ATT1), review('a', ATT1));
    sut.given(inReview).when(review('a', ATT1)).then([]);
    sut
      .given(inReview)
      .when(changes('a', ATT1))
      .then([
        TaskAttemptChangesRequested({ taskId: 'a', attemptId: ATT1, comment: 'rename it' }),
        TaskStatusChanged({ taskId: 'a', from: 'in_review', to: 'in_progress', cause: 'changes_requested', attemptId: ATT1 }),
      ]);
    sut.given(running).when(changes('a', ATT1)).thenThrows('invalid_state', /not in review/);
  });

  it('merging finishes the task and readies its dependants in the same decision', () => {
    sut
      .given(running)
      .when(finish('a', ATT1, 'merged'))
      .then([
        TaskAttemptFinished({ taskId: 'a', attemptId: ATT1, outcome: 'merged' }),
        TaskStatusChanged({ taskId: 'a', from: 'in_progress', to: 'done', cause: 'attempt_merged', attemptId: ATT1 }),
        TaskStatusChanged({ taskId: 'b', from: 'todo', to: 'ready', cause: 'dependencies_met' }),
      ]);
  });

  it('abandoning puts the task back to waiting; finishing twice the same way changes nothing, another way is a conflict', () => {
    expect(statusChanges(sut.given(running).when(finish('a', ATT1, 'abandoned')).thenEvents())).toEqual({ a: 'ready' });
    const merged = history(create('a'), start('a', ATT1), finish('a', ATT1, 'merged'));
    sut.given(merged).when(finish('a', ATT1, 'merged')).then([]);
    sut.given(merged).when(finish('a', ATT1, 'abandoned')).thenThrows('conflict', /already finished as merged/);
    sut.given(merged).when(review('a', ATT1)).thenThrows('invalid_state', /finished/);
  });

  it('failing or cancelling a task abandons its active attempt in the same decision; completing one by hand is refused while it runs', () => {
    const failed = sut.given(running).when(fail('a', 'agent gave up')).thenEvents();
    expect(failed[0]).toEqual(TaskAttemptFinished({ taskId: 'a', attemptId: ATT1, outcome: 'abandoned', reason: 'agent gave up' }));
    expect(statusChanges(failed)).toEqual({ a: 'failed', b: 'blocked' });
    expect(sut.given(running).when(cancel('a')).thenEvents()[0]).toEqual(TaskAttemptFinished({ taskId: 'a', attemptId: ATT1, outcome: 'abandoned' }));
    sut.given(running).when(complete('a')).thenThrows('conflict', new RegExp(ATT1));
  });
});
