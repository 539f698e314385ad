import { userIdOf } from '@baton/events';
import type { Projection } from '@baton/projections';
import { UserRowEntity, UserTokenRowEntity, type UserRow, type UserTokenRow } from './users.entities';

/*
 * A user is named by its events' `userId` (the directory subject, decision 0022) or, before
 * that, by its own subject: the rows are the same either way, so the versions stay at 1.
 */

export const usersProjection: Projection<UserRow> = {
  name: 'users',
  version: 1,
  entity: UserRowEntity,
  keysOf: (e) => (e.type === 'user.created' || e.type === 'user.role_changed' ? [userIdOf(e)] : []),
  evolve(row, e, id) {
    switch (e.type) {
      case 'user.created':
        return { id, name: e.data.name, role: e.data.role, createdAt: e.occurredAt, issuer: e.data.identity?.issuer ?? null, subject: e.data.identity?.subject ?? null, eventCount: 1, lastSeq: e.position.seq };
      case 'user.role_changed':
        return row && { ...row, role: e.data.to, eventCount: row.eventCount + 1, lastSeq: e.position.seq };
      default:
        return row;
    }
  },
};

export const userTokensProjection: Projection<UserTokenRow> = {
  name: 'user_tokens',
  version: 1,
  entity: UserTokenRowEntity,
  keysOf: (e) => (e.type === 'user.token_issued' || e.type === 'user.token_revoked' ? [e.data.tokenId] : []),
  evolve(row, e, id) {
    switch (e.type) {
      case 'user.token_issued':
        return { id, userId: userIdOf(e), tokenHash: e.data.tokenHash, label: e.data.label, revoked: false, issuedAt: e.occurredAt, expiresAt: e.data.expiresAt ?? null, lastSeq: e.position.seq };
      case 'user.token_revoked':
        return row && { ...row, revoked: true, lastSeq: e.position.seq };
      default:
        return row;
    }
  },
};
