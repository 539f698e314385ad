import { randomFillSync } from 'node:crypto';
import { monotonicFactory, type ULIDFactory } from 'ulid';

const pool = new Uint8Array(4_096);
let next = pool.length;

/**
 * Crypto-random fractions, one byte of a pooled buffer each. ulid's default PRNG asks
 * `crypto.getRandomValues` once per character — 16 calls for every id made in a new
 * millisecond — which was 5 % of the gateway's CPU per command (docs/decisions/0026).
 * 256 is a multiple of ulid's 32 symbols, so each character stays uniform.
 */
export function pooledRandom(): number {
  if (next >= pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++] / 256;
}

/** Monotonic ULIDs (sortable within a millisecond) from the pooled PRNG. */
export function ulidFactory(): ULIDFactory {
  return monotonicFactory(pooledRandom);
}
