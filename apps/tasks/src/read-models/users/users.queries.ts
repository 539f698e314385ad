import { z } from 'zod';
import { DomainError, IdSchema, TokenHashSchema } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { UserRowEntity, UserTokenRowEntity } from './users.entities';

export function userQueries(read: ReadSide) {
  const users = () => read.db.getRepository(UserRowEntity);
  const tokens = () => read.db.getRepository(UserTokenRowEntity);
  return {
    /** Who holds this token (by its hash); revoked or unknown tokens are not found. */
    authenticate: defineQuery(z.object({ tokenHash: TokenHashSchema }), async ({ tokenHash }, { minSeq }) => {
      await read.waitFor(minSeq);
      const token = await tokens().findOneBy({ tokenHash, revoked: false });
      const user = token && (await users().findOneBy({ id: token.userId }));
      if (!token || !user) throw new DomainError('not_found', 'unknown or revoked token');
      return { userId: user.id, name: user.name, role: user.role, tokenId: token.id };
    }),
    count_users: defineQuery(z.object({}), async (_p, { minSeq }) => {
      await read.waitFor(minSeq);
      return { count: await users().count() };
    }),
    list_users: defineQuery(z.object({}), async (_p, { minSeq }) => {
      await read.waitFor(minSeq);
      const rows = await users().find({ order: { createdAt: 'ASC', id: 'ASC' } });
      const all = await tokens().find({ where: { revoked: false } });
      return rows.map((u) => ({
        id: u.id,
        name: u.name,
        role: u.role,
        createdAt: u.createdAt,
        tokens: all.filter((t) => t.userId === u.id).map((t) => ({ id: t.id, label: t.label, issuedAt: t.issuedAt })),
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
