import { ProjectCreated, ProjectMemberAdded, ProjectMemberRemoved, ProjectMemberRoleChanged, ProjectRenamed, type DomainEvent, type NewEvent, type RecordedEvent } from '@baton/events';
import { foldAfter } from '@baton/projections';
import { recorded } from '@baton/testing';
import type { ProjectMemberRow } from './project-member-row.entity';
import { projectMembersProjection } from './project-members.projection';

const p1 = { type: 'project' as const, id: 'p1' };
const at = (events: [NewEvent, ('user' | 'system')?][]) =>
  events.map(([e, kind = 'user'], i) => ({ ...recorded(p1, e), actor: { kind, id: kind === 'user' ? 'creator' : 'import' }, position: { seq: i + 1 } }) as RecordedEvent<DomainEvent>);
const repo = { location: '/srv/p', defaultBranch: 'main' };

describe('projectMembersProjection', () => {
  it('makes the creator an operator, follows adds, role changes and removals, once even when delivered twice', () => {
    const story = () =>
      at([
        [ProjectCreated({ name: 'P', repository: repo, concurrencyLimit: null, env: {} })],
        [ProjectMemberAdded({ userId: 'u1', role: 'viewer' })],
        [ProjectMemberAdded({ userId: 'u2', role: 'operator' })],
        [ProjectMemberRoleChanged({ userId: 'u1', from: 'viewer', to: 'operator' })],
        [ProjectMemberRemoved({ userId: 'u2', role: 'operator' })],
        [ProjectRenamed({ name: 'Q', previousName: 'P' })],
      ]);
    const rows = new Map<string, ProjectMemberRow | null>();
    foldAfter(projectMembersProjection, rows, 0, story());
    foldAfter(projectMembersProjection, rows, 6, story());
    const live = [...rows.values()].filter((r): r is ProjectMemberRow => r !== null);
    expect(live.map((r) => [r.id, r.userId, r.role])).toEqual([
      ['p1/creator', 'creator', 'operator'],
      ['p1/u1', 'u1', 'operator'],
    ]);
    expect(rows.get('p1/u2')).toBeNull();
  });

  it('gives a project created by the system (no user) no member', () => {
    const rows = new Map<string, ProjectMemberRow | null>();
    foldAfter(projectMembersProjection, rows, 0, at([[ProjectCreated({ name: 'P', repository: repo, concurrencyLimit: null, env: {} }), 'system']]));
    expect(rows.size).toBe(0);
  });
});
