import type { RecordedEvent } from '@baton/events';
import type { LiveEvent, SecretField } from '@baton/contracts';

/*
 * What of an event may reach a socket. Secrets in the log are environment values (project
 * env, template env — also inside pinned templates and spawn requests), token hashes and
 * credentials written into a repository URL. The rule is structural, so a new event type
 * that carries `env` or `tokenHash` is covered without a line here:
 * - `tokenHash` is dropped;
 * - an `env` record becomes `envKeys`: its names, sorted (what REST shows too);
 * - `user:pass@` is cut from a repository `location`.
 * The contract's `Redacted<T>` type says the same at compile time.
 */
const SECRET_FIELDS: ReadonlySet<SecretField> = new Set(['tokenHash']);

export function toLiveEvent(e: RecordedEvent): LiveEvent {
  const { id, type, version, aggregate, occurredAt, actor, correlationId, causationId } = e;
  const event = { id, type, version, aggregate, occurredAt, actor, correlationId, causationId, data: redact(e.data) };
  // The shape is the DomainEvent's with Redacted<data>; redact() is that mapping at run time.
  return event as LiveEvent;
}

export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (SECRET_FIELDS.has(key as SecretField)) continue;
    if (key === 'env' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out.envKeys = Object.keys(v).sort();
      continue;
    }
    out[key] = key === 'location' && typeof v === 'string' ? withoutCredentials(v) : redact(v);
  }
  return out;
}

/** `https://user:token@host/x` → `https://host/x`. */
export function withoutCredentials(location: string): string {
  return location.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}
