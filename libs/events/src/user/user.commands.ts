import { z } from 'zod';
import { defineCommand } from '../define';
import { IdSchema } from '../envelope';
import { NameSchema } from '../values';
import { RoleSchema, TokenHashSchema } from './user.events';

export const CreateUser = defineCommand({
  type: 'user.create',
  service: 'tasks',
  schema: z.strictObject({
    userId: IdSchema,
    name: NameSchema,
    role: RoleSchema,
    /** The first token, issued with the user. */
    token: z.strictObject({ tokenId: IdSchema, tokenHash: TokenHashSchema, label: z.string().max(200).default('') }),
  }),
});

export const ChangeUserRole = defineCommand({
  type: 'user.change_role',
  service: 'tasks',
  schema: z.strictObject({ userId: IdSchema, role: RoleSchema }),
});

export const IssueUserToken = defineCommand({
  type: 'user.issue_token',
  service: 'tasks',
  schema: z.strictObject({ userId: IdSchema, tokenId: IdSchema, tokenHash: TokenHashSchema, label: z.string().max(200).default('') }),
});

export const RevokeUserToken = defineCommand({
  type: 'user.revoke_token',
  service: 'tasks',
  schema: z.strictObject({ userId: IdSchema, tokenId: IdSchema }),
});

export const userCommands = [CreateUser, ChangeUserRole, IssueUserToken, RevokeUserToken] as const;
