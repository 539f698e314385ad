import { z } from 'zod';
import { defineEvent, type EventOf } from '../define';
import { IdSchema, type EventEnvelope } from '../envelope';
import { NameSchema } from '../values';

export const RoleSchema = z.enum(['admin', 'operator', 'viewer']);
export type Role = z.infer<typeof RoleSchema>;

/** A token is stored only as its SHA-256; the clear text is shown once, to whoever asked for it. */
export const TokenHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest');

/**
 * Every user's events are decided on one subject, `user._directory` (docs/decisions/0022), and
 * name their user in `userId`. Events from before it live on `user.<id>` and carry no `userId`.
 */
export const USER_DIRECTORY_ID = '_directory';
const userId = IdSchema.optional();

/** The user an event is about: its `userId`, else (stored before the directory) its subject's id. */
export function userIdOf(event: Pick<EventEnvelope, 'aggregate' | 'data'>): string {
  const own = (event.data as { userId?: unknown } | undefined)?.userId;
  return typeof own === 'string' ? own : event.aggregate.id;
}

/**
 * Who a user is at an OpenID Connect provider (docs/decisions/0028): the pair is unique and
 * never changes, so a second sign-in finds the same user.
 */
export const ExternalIdentitySchema = z.object({ issuer: z.string().min(1).max(2000), subject: z.string().min(1).max(255) });
export type ExternalIdentity = z.infer<typeof ExternalIdentitySchema>;

export const UserCreated = defineEvent({
  type: 'user.created',
  aggregate: 'user',
  // `identity`: created by its first sign-in through a provider; absent for users an admin made.
  schema: z.object({ userId, name: NameSchema, role: RoleSchema, identity: ExternalIdentitySchema.optional() }),
});

export const UserRoleChanged = defineEvent({
  type: 'user.role_changed',
  aggregate: 'user',
  schema: z.object({ userId, from: RoleSchema, to: RoleSchema }),
});

export const UserTokenIssued = defineEvent({
  type: 'user.token_issued',
  aggregate: 'user',
  // `expiresAt` (ISO 8601): refused from then on; absent for tokens that live until revoked.
  schema: z.object({ userId, tokenId: IdSchema, tokenHash: TokenHashSchema, label: z.string().max(200), expiresAt: z.iso.datetime().optional() }),
});

export const UserTokenRevoked = defineEvent({
  type: 'user.token_revoked',
  aggregate: 'user',
  schema: z.object({ userId, tokenId: IdSchema }),
});

export const userEvents = [UserCreated, UserRoleChanged, UserTokenIssued, UserTokenRevoked] as const;
export type UserEvent = EventOf<typeof UserCreated> | EventOf<typeof UserRoleChanged> | EventOf<typeof UserTokenIssued> | EventOf<typeof UserTokenRevoked>;
