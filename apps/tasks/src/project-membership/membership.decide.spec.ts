import { ProjectCreated, ProjectDeleted, ProjectMemberAdded, ProjectMemberRemoved, ProjectMemberRoleChanged, type EventEnvelope } from '@baton/events';
import { command, deciderSpec, recorded } from '@baton/testing';
import { projectAggregateDecider, type ProjectAggregateCommand } from '../task-graph/project-aggregate.decider';

const p1 = { type: 'project' as const, id: 'p1' };
const repo = { location: '/srv/web', defaultBranch: 'main' };
const by = (kind: 'user' | 'system' | 'agent', id: string) => <E extends EventEnvelope>(e: E): E => ({ ...e, actor: { kind, id } });
const created = by('user', 'creator')(recorded(p1, ProjectCreated({ name: 'Web', repository: repo, concurrencyLimit: null, env: {} })));
const add = (userId: string, role: 'viewer' | 'operator') => command('project.add_member', { projectId: 'p1', userId, role }) as ProjectAggregateCommand;
const change = (userId: string, role: 'viewer' | 'operator') => command('project.change_member_role', { projectId: 'p1', userId, role }) as ProjectAggregateCommand;
const remove = (userId: string) => command('project.remove_member', { projectId: 'p1', userId }) as ProjectAggregateCommand;
const added = (userId: string, role: 'viewer' | 'operator') => recorded(p1, ProjectMemberAdded({ userId, role }));

describe('project membership (decided on the project aggregate)', () => {
  const sut = deciderSpec(projectAggregateDecider);

  it('makes the user who created the project its first operator, with no event of its own', () => {
    expect([...sut.given([created]).state.members.members]).toEqual([['creator', 'operator']]);
    expect(sut.given([by('system', 'import')(created)]).state.members.members.size).toBe(0);
  });

  it('adds a member; the same role again changes nothing; another role is a conflict', () => {
    sut.given([created]).when(add('u1', 'viewer')).then([ProjectMemberAdded({ userId: 'u1', role: 'viewer' })]);
    sut.given([created, added('u1', 'viewer')]).when(add('u1', 'viewer')).then([]);
    sut.given([created, added('u1', 'viewer')]).when(add('u1', 'operator')).thenThrows('conflict', /already a viewer.*change the member's role/);
  });

  it('changes a member role, remembering the old one; the same role changes nothing', () => {
    sut.given([created, added('u1', 'viewer')]).when(change('u1', 'operator')).then([ProjectMemberRoleChanged({ userId: 'u1', from: 'viewer', to: 'operator' })]);
    sut.given([created, added('u1', 'viewer')]).when(change('u1', 'viewer')).then([]);
    sut.given([created]).when(change('u1', 'operator')).thenThrows('not_found', /u1 is not a member of project p1/);
  });

  it('removes a member (the creator too), and refuses to remove a stranger', () => {
    sut.given([created, added('u1', 'operator')]).when(remove('u1')).then([ProjectMemberRemoved({ userId: 'u1', role: 'operator' })]);
    sut.given([created]).when(remove('creator')).then([ProjectMemberRemoved({ userId: 'creator', role: 'operator' })]);
    sut.given([created, added('u1', 'viewer'), recorded(p1, ProjectMemberRemoved({ userId: 'u1', role: 'viewer' }))]).when(remove('u1')).thenThrows('not_found');
  });

  it('folds role changes and removals', () => {
    const history = [created, added('u1', 'viewer'), recorded(p1, ProjectMemberRoleChanged({ userId: 'u1', from: 'viewer', to: 'operator' })), recorded(p1, ProjectMemberRemoved({ userId: 'creator', role: 'operator' }))];
    expect([...sut.given(history).state.members.members]).toEqual([['u1', 'operator']]);
  });

  it('refuses membership of a project that does not exist or was deleted', () => {
    sut.given([]).when(add('u1', 'viewer')).thenThrows('not_found', /project p1 does not exist/);
    sut.given([created, recorded(p1, ProjectDeleted({}))]).when(add('u1', 'viewer')).thenThrows('not_found');
  });
});
