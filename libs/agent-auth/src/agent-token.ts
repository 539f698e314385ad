import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AgentClaimsSchema, ROLES_THAT_SPAWN, type AgentClaims } from '@baton/events';

/*
 * The session-scoped token an agent holds (BATON_TOKEN): `bat_s.<payload>.<signature>`,
 * both base64url. The payload is JSON `{ v, claims, iat, exp }` (ms since the epoch); the
 * signature is HMAC-SHA256 over `bat_s.<payload>` with the installation's secret
 * (`BATON_AGENT_TOKEN_SECRET`). The sessions service mints, the gateway verifies: neither
 * needs a lookup. This is the one implementation both use.
 */

export const AGENT_TOKEN_PREFIX = 'bat_s';
/**
 * How long a token lives by default (BATON_AGENT_TOKEN_TTL_MS of the sessions service). Short:
 * the runner hosting the session renews it while the session lives (docs/decisions/0024), so a
 * token that leaks is worth at most this long, and one whose session ended is refused anyway.
 */
export const AGENT_TOKEN_TTL_MS = 3600_000;
/** The longest a token may be configured to live. */
export const MAX_AGENT_TOKEN_TTL_MS = 30 * 24 * 3600_000;
/** HMAC-SHA256 wants at least 256 bits of secret. */
export const MIN_AGENT_TOKEN_SECRET_LENGTH = 32;
/** The environment variable both the gateway and the sessions service read. */
export const AGENT_TOKEN_SECRET_ENV = 'BATON_AGENT_TOKEN_SECRET';

const MAX_TOKEN_LENGTH = 16_384;

const PayloadSchema = z.strictObject({
  v: z.literal(1),
  claims: AgentClaimsSchema,
  iat: z.number().int().nonnegative(),
  exp: z.number().int().positive(),
});

/** What a valid token says, plus what follows from it. */
export interface VerifiedAgentClaims extends AgentClaims {
  /** Its role may start workers of its own (`ROLES_THAT_SPAWN`). */
  canSpawnWorkers: boolean;
  issuedAt: string;
  /** `exp` of the payload, as an instant. */
  expiresAt: string;
}

export type AgentTokenVerdict =
  | { ok: true; claims: AgentClaims; issuedAt: string; expiresAt: string }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'invalid_claims' };

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const mac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest();

function requireSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length < MIN_AGENT_TOKEN_SECRET_LENGTH) {
    throw new Error(`the agent token secret must be at least ${MIN_AGENT_TOKEN_SECRET_LENGTH} characters`);
  }
}

/** Signs `claims` for `ttlMs` from `issuedAt` (an ISO instant; the caller's clock). */
export function signAgentToken(claims: AgentClaims, secret: string, issuedAt: string = new Date().toISOString(), ttlMs = AGENT_TOKEN_TTL_MS): string {
  requireSecret(secret);
  const iat = Date.parse(issuedAt);
  if (!Number.isFinite(iat)) throw new Error(`bad issuedAt ${issuedAt}`);
  if (!Number.isInteger(ttlMs) || ttlMs <= 0 || ttlMs > MAX_AGENT_TOKEN_TTL_MS) throw new Error(`bad ttlMs ${ttlMs}`);
  const payload = PayloadSchema.parse({ v: 1, claims: AgentClaimsSchema.parse(claims), iat, exp: iat + ttlMs });
  const body = `${AGENT_TOKEN_PREFIX}.${b64(JSON.stringify(payload))}`;
  return `${body}.${b64(mac(secret, body))}`;
}

/**
 * Why a token is or is not valid: signature (constant time), then shape, then expiry.
 * Never throws on bad input (only on a secret that is too short).
 */
export function inspectAgentToken(token: string, secret: string, now: string = new Date().toISOString()): AgentTokenVerdict {
  requireSecret(secret);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== AGENT_TOKEN_PREFIX || !parts[1] || !parts[2]) return { ok: false, reason: 'malformed' };
  const body = `${parts[0]}.${parts[1]}`;
  const given = Buffer.from(parts[2], 'base64url');
  const expected = mac(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const payload = PayloadSchema.safeParse(raw);
  if (!payload.success) return { ok: false, reason: 'invalid_claims' };
  if (Date.parse(now) >= payload.data.exp) return { ok: false, reason: 'expired' };
  return { ok: true, claims: payload.data.claims, issuedAt: new Date(payload.data.iat).toISOString(), expiresAt: new Date(payload.data.exp).toISOString() };
}

/** The token's claims if it is genuine and unexpired, else null. */
export function verifyAgentToken(token: string, secret: string, now: string = new Date().toISOString()): VerifiedAgentClaims | null {
  const verdict = inspectAgentToken(token, secret, now);
  if (!verdict.ok) return null;
  return { ...verdict.claims, canSpawnWorkers: ROLES_THAT_SPAWN.has(verdict.claims.role), issuedAt: verdict.issuedAt, expiresAt: verdict.expiresAt };
}

/**
 * When a token says it was issued and expires, read WITHOUT checking its signature: for the
 * runner, which holds no secret and only needs to know when to renew what it was given.
 * Null when it is not a session token.
 */
export function readAgentTokenTimes(token: string): { issuedAt: number; expiresAt: number } | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== AGENT_TOKEN_PREFIX || !parts[1]) return null;
  try {
    const payload = PayloadSchema.safeParse(JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')));
    return payload.success && payload.data.exp > payload.data.iat ? { issuedAt: payload.data.iat, expiresAt: payload.data.exp } : null;
  } catch {
    return null;
  }
}

/** Whether a bearer token is a session token (so the right verifier is picked before any lookup). */
export function isAgentToken(token: string): boolean {
  return typeof token === 'string' && token.startsWith(`${AGENT_TOKEN_PREFIX}.`);
}

/**
 * A token ends with its session: the sessions service marks every ended session in this KV
 * bucket (key: the session id), and the gateway refuses their tokens from then on. Entries
 * live as long as a token could, so the bucket stays small.
 */
export const agentTokenRevocationsBucket = (namespace: string) => `${namespace}_ended_sessions`;
export const AGENT_TOKEN_REVOCATIONS_TTL_MS = MAX_AGENT_TOKEN_TTL_MS;
