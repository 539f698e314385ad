import { emptyTaskForm, taskFieldErrors, toCreateTaskRequest } from './task-form';

describe(toCreateTaskRequest.name, () => {
  it('sends criteria per line, labels per comma, and dependencies on success', () => {
    expect(toCreateTaskRequest({ ...emptyTaskForm(), title: 'A', acceptanceCriteria: 'one\n\n two ', labels: 'ui, ,auth', dependsOn: ['T1'], parentId: 'T9', priority: '0' })).toEqual({
      request: { title: 'A', description: '', acceptanceCriteria: ['one', 'two'], priority: 0, labels: ['ui', 'auth'], executionMode: 'interactive', parentId: 'T9', dependsOn: [{ taskId: 'T1', condition: 'success' }] },
    });
  });
});

describe(taskFieldErrors.name, () => {
  it('puts the API’s issues at their inputs', () => {
    const sut = taskFieldErrors([
      { path: 'title', message: 'must not be empty' },
      { path: 'acceptanceCriteria[1]', message: 'must not be empty' },
      { path: 'dependsOn[0].taskId', message: 'unknown task' },
      { path: 'owner', message: 'unknown field' },
    ]);
    expect(sut.byField).toEqual({ title: 'Must not be empty', acceptanceCriteria: 'Line 2: must not be empty', dependsOn: 'Dependency 1: unknown task' });
    expect(sut.unmatched).toEqual([{ path: 'owner', message: 'unknown field' }]);
  });
});
