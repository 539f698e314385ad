import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `<host>-<6 hex>`: readable, and unique per installation even when installations share a host. */
export function newRunnerId(host = hostname(), random = randomBytes(3).toString('hex')): string {
  const base = host.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 56) || 'runner';
  return `${base}-${random}`;
}

/**
 * The runner id kept in `file`, made once. Two installations on one machine used to share the
 * hostname as their id, and a starting runner killed every process tagged with it — the other
 * installation's agents included.
 */
export function persistentRunnerId(file: string): string {
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (ID.test(kept)) return kept;
  } catch {
    // not made yet
  }
  const id = newRunnerId();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${id}\n`, { mode: 0o600, flag: 'w' });
  return id;
}
