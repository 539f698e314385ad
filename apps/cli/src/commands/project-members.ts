import type { Command } from 'commander';
import type { CommandAccepted, MemberView } from '@baton/contracts';
import { ProjectRoleSchema } from '@baton/events';
import { seg } from '../api-client';
import { emit, type Ctx } from '../context';
import { choice, parseId, withJson, withMinSeq } from '../options';
import { formatTable } from '../output';
import { projectPath, writtenBy, type JsonOpt } from './shared';

const membersPath = (id: string) => `${projectPath(id)}/members`;
const ROLE = ProjectRoleSchema.options;
const a = (role: string) => `${role === 'operator' ? 'an' : 'a'} ${role}`;

/** Who may see and act on a project (docs/decisions/0023): admins add, change and remove; members list. */
export function registerProjectMemberCommands(project: Command, ctx: Ctx): void {
  const written = writtenBy(ctx);

  withMinSeq(withJson(project.command('members').description("a project's members and their roles").argument('<id>', 'project id', parseId))).action(
    async (id: string, o: { minSeq?: number } & JsonOpt) => {
      const members = await ctx.api().get<MemberView[]>(membersPath(id), { minSeq: o.minSeq });
      emit(ctx, o.json, members, () => (members.length ? formatTable(members, ['userId', 'name', 'role', 'userRole', 'effectiveRole', 'addedAt']) : 'no members (admins see every project)\n'));
    },
  );

  withJson(
    project
      .command('add-member')
      .description('make a user a member of a project (admins)')
      .argument('<id>', 'project id', parseId)
      .requiredOption('--user <user>', 'user id', parseId)
      .addOption(choice('--role <role>', "the user's role in the project", ROLE).makeOptionMandatory())
      .option('--idempotency-key <key>', 'resend-safe key'),
  ).action(async (id: string, o: { user: string; role: string; idempotencyKey?: string } & JsonOpt) => {
    const res = await ctx.api().post<CommandAccepted>(membersPath(id), { userId: o.user, role: o.role }, { headers: o.idempotencyKey ? { 'idempotency-key': o.idempotencyKey } : {} });
    written(o, res, res.events.length ? `user ${o.user} is ${a(o.role)} of project ${id}` : `user ${o.user} already was ${a(o.role)} of project ${id}`);
  });

  withJson(
    project
      .command('set-member-role')
      .description("change a member's role in a project (admins)")
      .argument('<id>', 'project id', parseId)
      .requiredOption('--user <user>', 'user id', parseId)
      .addOption(choice('--role <role>', 'the new role in the project', ROLE).makeOptionMandatory()),
  ).action(async (id: string, o: { user: string; role: string } & JsonOpt) => {
    written(o, await ctx.api().patch<CommandAccepted>(`${membersPath(id)}/${seg(o.user)}`, { role: o.role }), `user ${o.user} is ${a(o.role)} of project ${id}`);
  });

  withJson(
    project
      .command('remove-member')
      .description('remove a member from a project (admins)')
      .argument('<id>', 'project id', parseId)
      .requiredOption('--user <user>', 'user id', parseId),
  ).action(async (id: string, o: { user: string } & JsonOpt) => {
    written(o, await ctx.api().delete<CommandAccepted>(`${membersPath(id)}/${seg(o.user)}`), `user ${o.user} is no longer a member of project ${id}`);
  });
}
