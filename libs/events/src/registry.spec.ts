import { DecodeError, names, registry, ProjectCreated, type EventEnvelope } from './index';

const base = {
  id: '01J0000000000000000000000',
  aggregate: { type: 'project', id: 'p1' },
  occurredAt: '2026-01-01T00:00:00.000Z',
  actor: { kind: 'user', id: 'u1' },
  correlationId: 'c1',
  causationId: 'cmd1',
} as const;

describe('Registry', () => {
  const sut = registry;

  it('decodes a current-version event to typed data', () => {
    const stored = sut.encodeEvent({
      ...base,
      type: 'project.created',
      version: 2,
      data: { name: 'Web', repository: { location: '/srv/web', defaultBranch: 'main' }, concurrencyLimit: 4, env: {} },
    } as EventEnvelope);
    const decoded = sut.decodeEvent(JSON.stringify(stored));
    expect(decoded.type).toBe('project.created');
    expect(decoded.data).toEqual({ name: 'Web', repository: { location: '/srv/web', defaultBranch: 'main' }, concurrencyLimit: 4, env: {} });
  });

  it('upcasts project.created v1 (bare repositoryPath) to v2', () => {
    const v1 = { ...base, type: 'project.created', version: 1, data: { name: 'Old', repositoryPath: '/srv/old' } };
    const decoded = sut.decodeEvent(v1);
    expect(decoded.version).toBe(ProjectCreated.version);
    expect(decoded.data).toEqual({ name: 'Old', repository: { location: '/srv/old', defaultBranch: 'main' }, concurrencyLimit: null, env: {} });
  });

  it('keeps a v1 default branch when it was stored', () => {
    const v1 = { ...base, type: 'project.created', version: 1, data: { name: 'Old', repositoryPath: '/srv/old', defaultBranch: 'trunk' } };
    expect((sut.decodeEvent(v1).data as { repository: { defaultBranch: string } }).repository.defaultBranch).toBe('trunk');
  });

  it.each([
    ['not JSON', '{nope', /not JSON/],
    ['missing envelope field', { ...base, type: 'project.archived', data: {} }, /not an event envelope/],
    ['unknown type', { ...base, type: 'project.exploded', version: 1, data: {} }, /unknown event type/],
    ['data of the wrong shape', { ...base, type: 'project.renamed', version: 1, data: { name: 42 } }, /invalid data/],
    ['a version from the future', { ...base, type: 'project.renamed', version: 9, data: {} }, /newer than this build/],
  ])('refuses %s with a DecodeError', (_label, raw, message) => {
    expect(() => sut.decodeEvent(raw)).toThrow(DecodeError);
    expect(() => sut.decodeEvent(raw)).toThrow(message);
  });

  it('refuses to encode an event whose data breaks its schema', () => {
    expect(() => sut.encodeEvent({ ...base, type: 'project.renamed', version: 1, data: { name: '' } } as EventEnvelope)).toThrow(/invalid data/);
  });

  it('decodes commands with defaults applied and unknown fields refused', () => {
    const cmd = {
      id: 'k1',
      type: 'project.create',
      actor: { kind: 'user', id: 'u1' },
      correlationId: 'k1',
      issuedAt: '2026-01-01T00:00:00.000Z',
      data: { projectId: 'p1', name: 'Web', repository: { location: '/srv/web', defaultBranch: 'main' } },
    };
    expect(sut.decodeCommand(cmd).data).toMatchObject({ concurrencyLimit: null, env: {} });
    expect(() => sut.decodeCommand({ ...cmd, data: { ...cmd.data, owner: 'x' } })).toThrow(/invalid data/);
  });
});

describe('names', () => {
  it('derives every name from the namespace', () => {
    const n = names('t1_abc');
    expect(n.streams.events).toBe('T1_ABC_EVENTS');
    expect(n.evt('task', 'x1')).toBe('t1_abc.evt.task.x1');
    expect(n.cmd('tasks', 'project.create')).toBe('t1_abc.cmd.tasks.project.create');
    expect(n.pgSchema('tasks')).toBe('t1_abc_tasks');
    expect(names().pgSchema('tasks')).toBe('tasks');
  });

  it('refuses a namespace that would break subjects or schema names', () => {
    expect(() => names('Bad.Name')).toThrow(/namespace/);
  });
});
