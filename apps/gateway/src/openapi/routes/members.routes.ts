import { AddMemberRequest, ChangeMemberRoleRequest, CommandAccepted, IdParams, MemberList, MemberParams, MembersQuery, ReadQuery } from '@baton/contracts';
import { route } from '../route';

const tag = 'projects';
const write = { tag, idempotent: true, role: 'admin', response: CommandAccepted } as const;
const WHO = 'Admins manage members (docs/decisions/0023).';

/** Who may see and act on a project, and as what. */
export const MemberRoutes = {
  listProjectMembers: route({
    tag,
    operationId: 'listProjectMembers',
    method: 'get',
    path: '/api/projects/:id/members',
    summary: "A project's members and their roles",
    description: 'Each with its role in the project, its own (global) role and what it may do here: admin for admins, else the lower of the two.',
    params: IdParams,
    query: MembersQuery,
    status: 200,
    response: MemberList,
    queries: ['project_members'],
  }),
  addProjectMember: route({
    ...write,
    operationId: 'addProjectMember',
    method: 'post',
    path: '/api/projects/:id/members',
    summary: 'Make a user a member of the project (viewer or operator)',
    description: `The user must exist (\`minSeq\` finds one just created through another gateway). The same role again changes nothing; another role is a 409 (change the role instead). ${WHO}`,
    params: IdParams,
    query: ReadQuery,
    body: AddMemberRequest,
    status: 201,
    errors: [409],
    commands: ['project.add_member'],
    queries: ['get_user'],
  }),
  changeProjectMemberRole: route({
    ...write,
    operationId: 'changeProjectMemberRole',
    method: 'patch',
    path: '/api/projects/:id/members/:userId',
    summary: "Change a member's role in the project",
    description: WHO,
    params: MemberParams,
    body: ChangeMemberRoleRequest,
    status: 200,
    commands: ['project.change_member_role'],
  }),
  removeProjectMember: route({
    ...write,
    operationId: 'removeProjectMember',
    method: 'delete',
    path: '/api/projects/:id/members/:userId',
    summary: 'Remove a member from the project',
    description: `From then on the project is invisible to the user (unless an admin), on REST and on the live socket. ${WHO}`,
    params: MemberParams,
    status: 200,
    commands: ['project.remove_member'],
  }),
};
