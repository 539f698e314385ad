import type { RecordedEvent } from '@baton/events';
import type { Principal } from '../auth/principal';
import { Memberships } from './memberships';

const user = (role: Principal['role'], userId = 'u1'): Principal => ({ kind: 'user', userId, name: userId, role, tokenId: 't' });

/** A tasks service that answers from a table and records what it was asked. */
function fakeQueries(table: Record<string, { projectId: string; role: 'viewer' | 'operator' }[]>) {
  const asked: { userId: string; minSeq: number }[] = [];
  return {
    asked,
    ask: <T>(_service: string, _query: string, params: unknown, opts?: { minSeq?: number }) => {
      const { userId } = params as { userId: string };
      asked.push({ userId, minSeq: opts?.minSeq ?? 0 });
      return Promise.resolve((table[userId] ?? []) as T);
    },
  };
}

const event = (type: string, data: object, seq: number, actor = { kind: 'user' as const, id: 'admin' }): RecordedEvent =>
  ({ type, data, aggregate: { type: 'project', id: 'p1' }, actor, position: { seq } }) as unknown as RecordedEvent;

describe(Memberships.name, () => {
  it('answers the effective role: admin everywhere, the lower of the two roles for a member, nothing otherwise', async () => {
    const sut = new Memberships(fakeQueries({ u1: [{ projectId: 'p1', role: 'operator' }, { projectId: 'p2', role: 'viewer' }] }));
    expect(await sut.roleIn(user('admin'), 'p9')).toBe('admin');
    expect(await sut.roleIn(user('operator'), 'p1')).toBe('operator');
    expect(await sut.roleIn(user('operator'), 'p2')).toBe('viewer');
    expect(await sut.roleIn(user('viewer'), 'p1')).toBe('viewer');
    expect(await sut.roleIn(user('operator'), 'p3')).toBeNull();
    expect(await sut.visibleProjects(user('operator'))).toEqual(['p1', 'p2']);
    expect(await sut.visibleProjects(user('admin'))).toBe('all');
  });

  it('asks once per user, and again (waiting for the change) after the log shows a membership of that user changed', async () => {
    const queries = fakeQueries({});
    const sut = new Memberships(queries);
    const changed: string[] = [];
    sut.onChange((userId, projectId) => changed.push(`${userId}@${projectId}`));
    await sut.roleIn(user('operator'), 'p1');
    await sut.roleIn(user('operator'), 'p1');
    expect(queries.asked).toEqual([{ userId: 'u1', minSeq: 0 }]);
    sut.observe(event('project.member_added', { userId: 'u1', role: 'viewer' }, 42));
    sut.observe(event('project.renamed', { name: 'x' }, 43));
    await sut.roleIn(user('operator'), 'p1');
    expect(queries.asked).toEqual([{ userId: 'u1', minSeq: 0 }, { userId: 'u1', minSeq: 42 }]);
    sut.observe(event('project.created', {}, 50, { kind: 'user', id: 'u2' }));
    expect(changed).toEqual(['u1@p1', 'u2@p1']);
  });
});
