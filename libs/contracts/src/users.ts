import { z } from 'zod';
import { IdSchema, NameSchema, RoleSchema } from '@baton/events';

/*
 * Users and tokens (apps/gateway/src/users). The request schemas mirror the ones that
 * controller validates with; the answers are what it returns.
 */
export const CreateUserRequest = z.strictObject({ name: NameSchema, role: RoleSchema, tokenLabel: z.string().max(200).default('') });
export const IssueTokenRequest = z.strictObject({ label: z.string().max(200).default('') });
export const ChangeRoleRequest = z.strictObject({ role: RoleSchema });

export const MeView = z.strictObject({
  id: z.string(),
  name: z.string(),
  role: RoleSchema,
  tokenId: z.string(),
  /** When this token stops working: a token from single sign-on (docs/decisions/0028). */
  expiresAt: z.string().optional(),
});
export type MeView = z.output<typeof MeView>;
export const UserView = z.strictObject({
  id: z.string(),
  name: z.string(),
  role: RoleSchema,
  createdAt: z.string(),
  /** Signs in through the OpenID Connect provider as this identity (docs/decisions/0028). */
  identity: z.strictObject({ issuer: z.string(), subject: z.string() }).optional(),
  /** Live tokens: neither revoked nor expired. */
  tokens: z.array(z.strictObject({ id: z.string(), label: z.string(), issuedAt: z.string(), expiresAt: z.string().optional() })),
});
export const UserList = z.array(UserView);
export const UserCreated = z.strictObject({
  id: z.string(),
  name: z.string(),
  role: RoleSchema,
  tokenId: z.string(),
  token: z.string().describe('The clear-text token: shown in this answer only.'),
  seq: z.number().int(),
});
export const TokenIssued = z.strictObject({ tokenId: z.string(), token: z.string().describe('Shown in this answer only.'), seq: z.number().int() });
export const SeqOnly = z.strictObject({ seq: z.number().int() });
export const UserTokenParams = z.strictObject({ id: IdSchema, tokenId: IdSchema });

/** How one signs in here (public): a pasted token always; the OpenID Connect provider when configured. */
export const AuthConfigView = z.strictObject({
  token: z.literal(true),
  oidc: z.strictObject({ providerName: z.string(), loginPath: z.string() }).nullable(),
});
export type AuthConfigView = z.output<typeof AuthConfigView>;
