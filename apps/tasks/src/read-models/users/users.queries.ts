import { z } from 'zod';
import { DomainError, IdSchema, TokenHashSchema } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { UserRowEntity, UserTokenRowEntity, type UserTokenRow } from './users.entities';

const expired = (token: UserTokenRow) => token.expiresAt !== null && Date.parse(token.expiresAt) <= Date.now();

export function userQueries(read: ReadSide) {
  const users = () => read.db.getRepository(UserRowEntity);
  const tokens = () => read.db.getRepository(UserTokenRowEntity);
  return {
    /** Who holds this token (by its hash); revoked, expired or unknown tokens are not found. */
    authenticate: defineQuery(z.object({ tokenHash: TokenHashSchema }), async ({ tokenHash }, { minSeq }) => {
      await read.waitFor(minSeq);
      const token = await tokens().findOneBy({ tokenHash, revoked: false });
      const user = token && !expired(token) && (await users().findOneBy({ id: token.userId }));
      if (!token || !user) throw new DomainError('not_found', 'unknown, revoked or expired token');
      return { userId: user.id, name: user.name, role: user.role, tokenId: token.id, ...(token.expiresAt ? { expiresAt: token.expiresAt } : {}) };
    }),
    count_users: defineQuery(z.object({}), async (_p, { minSeq }) => {
      await read.waitFor(minSeq);
      return { count: await users().count() };
    }),
    list_users: defineQuery(z.object({}), async (_p, { minSeq }) => {
      await read.waitFor(minSeq);
      const rows = await users().find({ order: { createdAt: 'ASC', id: 'ASC' } });
      const all = await tokens().find({ where: { revoked: false } });
      const live = all.filter((t) => !expired(t));
      return rows.map((u) => ({
        id: u.id,
        name: u.name,
        role: u.role,
        createdAt: u.createdAt,
        ...(u.issuer && u.subject ? { identity: { issuer: u.issuer, subject: u.subject } } : {}),
        tokens: live.filter((t) => t.userId === u.id).map((t) => ({ id: t.id, label: t.label, issuedAt: t.issuedAt, ...(t.expiresAt ? { expiresAt: t.expiresAt } : {}) })),
      }));
    }),
    get_user: defineQuery(z.object({ id: IdSchema }), async ({ id }, { minSeq }) => {
      await read.waitFor(minSeq);
      const u = await users().findOneBy({ id });
      if (!u) throw new DomainError('not_found', `user ${id} does not exist`, { userId: id });
      return { id: u.id, name: u.name, role: u.role, createdAt: u.createdAt };
    }),
  };
}
