import { EntitySchema } from 'typeorm';
import type { Role } from '@baton/events';

const seqColumn = { type: 'bigint' as const, name: 'last_seq', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } };

export interface UserRow {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  /** Its OpenID Connect identity, when it signs in through the provider. */
  issuer: string | null;
  subject: string | null;
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
    issuer: { type: 'text', nullable: true },
    subject: { type: 'text', nullable: true },
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
  /** ISO 8601; null: until revoked. */
  expiresAt: string | null;
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
    expiresAt: { type: 'text', name: 'expires_at', nullable: true },
    lastSeq: seqColumn,
  },
});
