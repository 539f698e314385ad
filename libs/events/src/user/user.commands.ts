import { z } from 'zod';
import { defineCommand } from '../define';
import { IdSchema } from '../envelope';
import { NameSchema } from '../values';
import { ExternalIdentitySchema, RoleSchema, TokenHashSchema } from './user.events';

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

/**
 * A gateway starting with BATON_BOOTSTRAP_TOKEN: `userId` gets the user (an admin) or the token
 * if either is missing, and when no admin can sign in, the token's holder becomes admin again.
 */
export const BootstrapAdmin = defineCommand({
  type: 'user.bootstrap_admin',
  service: 'tasks',
  schema: z.strictObject({
    userId: IdSchema,
    name: NameSchema,
    token: z.strictObject({ tokenId: IdSchema, tokenHash: TokenHashSchema, label: z.string().max(200).default('') }),
  }),
});

/**
 * A person signed in through the OpenID Connect provider (docs/decisions/0028): the user with
 * this identity gets `role` (from its groups) and a token that expires; made on its first
 * sign-in as `userId`. The last admin who can sign in keeps its role (decision 0022).
 */
export const SignInExternal = defineCommand({
  type: 'user.sign_in_external',
  service: 'tasks',
  schema: z.strictObject({
    userId: IdSchema,
    name: NameSchema,
    identity: ExternalIdentitySchema.strict(),
    role: RoleSchema,
    token: z.strictObject({ tokenId: IdSchema, tokenHash: TokenHashSchema, label: z.string().max(200).default(''), expiresAt: z.iso.datetime() }),
  }),
});

export const userCommands = [CreateUser, ChangeUserRole, IssueUserToken, RevokeUserToken, BootstrapAdmin, SignInExternal] as const;
