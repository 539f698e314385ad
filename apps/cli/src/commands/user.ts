import type { Command } from 'commander';
import { RoleSchema } from '@baton/events';
import { seg } from '../api-client';
import { emit, type Ctx } from '../context';
import { choice, parseId, withJson } from '../options';
import type { JsonOpt } from './shared';
import { formatTable } from '../output';

interface UserView {
  id: string;
  name: string;
  role: string;
  createdAt: string;
  tokens: { id: string }[];
}

interface IssuedToken {
  id?: string;
  tokenId: string;
  token: string;
}

/** Users and their tokens. A new token is shown exactly once, here; Baton keeps only its hash. */
export function registerUserCommands(program: Command, ctx: Ctx): void {
  const user = program.command('user').description('users and their tokens (admins)');

  withJson(
    user
      .command('create')
      .description('create a user; prints its first token, once')
      .requiredOption('--name <name>', 'who')
      .addOption(choice('--role <role>', 'what they may do', RoleSchema.options).makeOptionMandatory())
      .option('--token-label <label>', 'a note on the first token'),
  ).action(async (o: { name: string; role: string; tokenLabel?: string } & JsonOpt) => {
    const res = await ctx.api().post<IssuedToken>('/api/users', { name: o.name, role: o.role, ...(o.tokenLabel ? { tokenLabel: o.tokenLabel } : {}) });
    emit(ctx, o.json, res, () => `user ${res.id}\ntoken ${res.token}\n(shown once: keep it now)\n`);
  });

  withJson(user.command('list').description('users, their roles and tokens (never the tokens themselves)')).action(async (o: JsonOpt) => {
    const users = await ctx.api().get<UserView[]>('/api/users');
    emit(ctx, o.json, users, () => formatTable(users.map((u) => ({ ...u, tokens: u.tokens.length })), ['id', 'name', 'role', 'tokens', 'createdAt']));
  });

  withJson(
    user
      .command('token')
      .description('issue another token to a user; prints it, once')
      .argument('<user>', 'user id', parseId)
      .option('--label <label>', 'a note on the token'),
  ).action(async (id: string, o: { label?: string } & JsonOpt) => {
    const res = await ctx.api().post<IssuedToken>(`/api/users/${seg(id)}/tokens`, o.label ? { label: o.label } : {});
    emit(ctx, o.json, res, () => `token ${res.token}\n(shown once: keep it now)\n`);
  });

  withJson(
    user
      .command('role')
      .description("change a user's role")
      .argument('<user>', 'user id', parseId)
      .addOption(choice('--role <role>', 'the new role', RoleSchema.options).makeOptionMandatory()),
  ).action(async (id: string, o: { role: string } & JsonOpt) => {
    const res = await ctx.api().post<{ seq: number }>(`/api/users/${seg(id)}/role`, { role: o.role });
    emit(ctx, o.json, res, () => `user ${id} is now ${o.role}\n`);
  });

  withJson(user.command('revoke').description('revoke a token').argument('<user>', 'user id', parseId).argument('<token>', 'token id', parseId)).action(
    async (id: string, tokenId: string, o: JsonOpt) => {
      const res = await ctx.api().delete<{ seq: number }>(`/api/users/${seg(id)}/tokens/${seg(tokenId)}`);
      emit(ctx, o.json, res, () => `revoked token ${tokenId}\n`);
    },
  );
}
