import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import type { Actor } from '@baton/events';

/** Who writes, and the client's Idempotency-Key if it gave one. */
export interface WriteContext {
  actor: Actor;
  key?: string;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * The id of a new aggregate: a ULID — or, under an Idempotency-Key, one derived from the
 * actor, the key and `purpose`, so a replayed request answers the id the first one made.
 */
export function newId(ctx: WriteContext, purpose: string): string {
  if (ctx.key === undefined) return ulid();
  const digest = sha256(`${ctx.actor.kind}:${ctx.actor.id}:${ctx.key}:${purpose}`);
  let id = '';
  for (let i = 0; i < 26; i++) id += CROCKFORD[digest[i] % 32];
  return id;
}

/**
 * A client's key within its route (an operationId: letters only, so no two pairs collide). The
 * command bus adds the actor; together a key is scoped to who sent it and where.
 */
export function routeScopedKey(route: string, key: string): string {
  return `${route}:${key}`;
}

/** The key of one of several commands a request sends. */
export function subKey(ctx: WriteContext, suffix: string): string | undefined {
  return ctx.key === undefined ? undefined : `${normalKey(ctx.key)}:${suffix}`;
}

/** Long keys are hashed, so `<actor>:<key>:<suffix>` stays within a command id's 200 characters. */
export function normalKey(key: string): string {
  return key.length > 120 ? `h-${sha256(key).toString('hex')}` : key;
}
