import type { Projection } from '@baton/projections';
import { UserRowEntity, UserTokenRowEntity, type UserRow, type UserTokenRow } from './users.entities';

export const usersProjection: Projection<UserRow> = {
  name: 'users',
  version: 1,
  entity: UserRowEntity,
  keysOf: (e) => (e.type === 'user.created' || e.type === 'user.role_changed' ? [e.aggregate.id] : []),
  evolve(row, e, id) {
    switch (e.type) {
      case 'user.created':
        return { id, name: e.data.name, role: e.data.role, createdAt: e.occurredAt, eventCount: 1, lastSeq: e.position.seq };
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
        return { id, userId: e.aggregate.id, tokenHash: e.data.tokenHash, label: e.data.label, revoked: false, issuedAt: e.occurredAt, lastSeq: e.position.seq };
      case 'user.token_revoked':
        return row && { ...row, revoked: true, lastSeq: e.position.seq };
      default:
        return row;
    }
  },
};
