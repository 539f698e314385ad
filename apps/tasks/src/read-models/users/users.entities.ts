import { EntitySchema } from 'typeorm';
import type { Role } from '@baton/events';

const seqColumn = { type: 'bigint' as const, name: 'last_seq', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } };

export interface UserRow {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  eventCount: number;
  lastSeq: number;
}

export const UserRowEntity = new EntitySchema<UserRow>({
  name: 'UserRow',
  tableName: 'users',
  columns: {
    id: { type: 'text', primary: true },
    name: { type: 'text' },
    role: { type: 'text' },
    createdAt: { type: 'text', name: 'created_at' },
    eventCount: { type: 'integer', name: 'event_count' },
    lastSeq: seqColumn,
  },
});

export interface UserTokenRow {
  /** The token id (not the token). */
  id: string;
  userId: string;
  tokenHash: string;
  label: string;
  revoked: boolean;
  issuedAt: string;
  lastSeq: number;
}

export const UserTokenRowEntity = new EntitySchema<UserTokenRow>({
  name: 'UserTokenRow',
  tableName: 'user_tokens',
  columns: {
    id: { type: 'text', primary: true },
    userId: { type: 'text', name: 'user_id' },
    tokenHash: { type: 'text', name: 'token_hash' },
    label: { type: 'text' },
    revoked: { type: 'boolean' },
    issuedAt: { type: 'text', name: 'issued_at' },
    lastSeq: seqColumn,
  },
});
