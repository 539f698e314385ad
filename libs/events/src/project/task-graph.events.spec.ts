import {
  promptTemplateCommands,
  promptTemplateEvents,
  registry,
  taskCommands,
  taskEvents,
  taskGraphCommands,
  taskGraphEvents,
  TaskAdded,
  type EventEnvelope,
} from '../index';

const base = {
  id: '01J0000000000000000000000',
  aggregate: { type: 'project', id: 'p1' },
  occurredAt: '2026-01-01T00:00:00.000Z',
  actor: { kind: 'user', id: 'u1' },
  correlationId: 'c1',
  causationId: 'cmd1',
} as const;
const command = (type: string, data: unknown) => ({ id: 'k1', type, actor: { kind: 'user', id: 'u1' }, correlationId: 'k1', issuedAt: base.occurredAt, data });

describe('task graph, task and prompt template catalogue', () => {
  const sut = registry;

  it('registers every event and command', () => {
    for (const e of [...taskGraphEvents, ...taskEvents, ...promptTemplateEvents]) expect(sut.event(e.type)).toBe(e);
    for (const c of [...taskGraphCommands, ...taskCommands, ...promptTemplateCommands]) expect(sut.command(c.type)).toBe(c);
  });

  it('round-trips a task_added through encode and decode', () => {
    const added = TaskAdded({
      taskId: 't1',
      number: 1,
      parentId: null,
      dependsOn: [{ taskId: 't0', condition: 'any' }],
      title: 'Login',
      description: '',
      acceptanceCriteria: [],
      priority: 2,
      labels: [],
      executionMode: 'interactive',
    });
    const stored = sut.encodeEvent({ ...base, version: 1, ...added } as EventEnvelope);
    expect(sut.decodeEvent(JSON.stringify(stored)).data).toEqual(added.data);
  });

  it('says "blocked" only with task_blocked, which must name a cause', () => {
    const changed = { ...base, version: 1, type: 'project.task_status_changed', data: { taskId: 't1', from: 'todo', to: 'blocked', cause: 'rolled_up' } };
    expect(() => sut.encodeEvent(changed as EventEnvelope)).toThrow(/invalid data/);
    const blocked = { ...base, version: 1, type: 'project.task_blocked', data: { taskId: 't1', from: 'todo', blockedBy: [] } };
    expect(() => sut.encodeEvent(blocked as EventEnvelope)).toThrow(/invalid data/);
  });

  it('applies command defaults and refuses unknown fields, bad ids and oversized text', () => {
    expect(sut.decodeCommand(command('task.create', { projectId: 'p1', taskId: 't1', title: 'Login' })).data).toEqual({
      projectId: 'p1',
      taskId: 't1',
      parentId: null,
      title: 'Login',
      description: '',
      acceptanceCriteria: [],
      priority: 2,
      labels: [],
      executionMode: 'interactive',
      dependsOn: [],
    });
    expect(() => sut.decodeCommand(command('task.create', { projectId: 'p1', taskId: 't1', title: 'Login', status: 'done' }))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(command('task.create', { projectId: 'p1', taskId: 't.1', title: 'Login' }))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(command('task.create', { projectId: 'p1', taskId: 't1', title: 'L', description: 'x'.repeat(20_001) }))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(command('task.add_dependency', { projectId: 'p1', taskId: 't1', dependsOnTaskId: 't2', condition: 'maybe' }))).toThrow(/invalid data/);
    expect(sut.decodeCommand(command('task.start_attempt', { projectId: 'p1', taskId: 't1', attemptId: 'a1' })).data).toMatchObject({
      promptVersionId: null,
      sessionTemplateId: null,
      supersede: false,
      ignoreDependencies: false,
    });
  });
});
