import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { AgentClaimsSchema, ROLES_THAT_SPAWN, type AgentClaims } from '@baton/events';

/*
 * The session-scoped token an agent holds (BATON_TOKEN): `bat_s.<payload>.<signature>`,
 * both base64url. The payload is JSON `{ v, claims, iat, exp }` (ms since the epoch); the
 * signature is Ed25519 over `bat_s.<payload>`. The private key is derived from the
 * installation's secret (`BATON_AGENT_TOKEN_SECRET`), which only the sessions service holds:
 * it mints. The gateway verifies with the public key alone (`BATON_AGENT_TOKEN_PUBLIC_KEY`, or
 * the one the sessions service publishes), so nothing it holds can mint a token
 * (docs/decisions/0010). Neither needs a lookup. This is the one implementation both use.
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
/** The secret seeds the signing key: at least 256 bits of it. */
export const MIN_AGENT_TOKEN_SECRET_LENGTH = 32;
/** The sessions service's secret (it alone reads it). */
export const AGENT_TOKEN_SECRET_ENV = 'BATON_AGENT_TOKEN_SECRET';
/** The gateway's public key, when not read from the sessions service's bucket: `agentTokenPublicKey(secret)`. */
export const AGENT_TOKEN_PUBLIC_KEY_ENV = 'BATON_AGENT_TOKEN_PUBLIC_KEY';
/**
 * Where the sessions service publishes the public key (key `AGENT_TOKEN_PUBLIC_KEY_KV_KEY`) for
 * the gateway: a bucket of its own, never the sessions service's settings bucket, which holds
 * the secret and which the gateway may not read.
 */
export const agentTokenKeysBucket = (namespace: string) => `${namespace}_agent_token_keys`;
export const AGENT_TOKEN_PUBLIC_KEY_KV_KEY = 'public-key';

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

// DER framing around Ed25519's raw 32-byte private seed (PKCS#8) and public key (SPKI).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ED25519_SIGNATURE_BYTES = 64;
const PUBLIC_KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function requireSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length < MIN_AGENT_TOKEN_SECRET_LENGTH) {
    throw new Error(`the agent token secret must be at least ${MIN_AGENT_TOKEN_SECRET_LENGTH} characters`);
  }
}

// Deriving is cheap but not free; a process uses one key, so one entry each is enough.
let signing: { secret: string; key: KeyObject } | null = null;
let verifying: { publicKey: string; key: KeyObject } | null = null;

/** The private key is a function of the secret alone (seed = SHA-256 of it), so every replica signs alike. */
function signingKey(secret: string): KeyObject {
  requireSecret(secret);
  if (signing?.secret !== secret) {
    const seed = createHash('sha256').update(secret, 'utf8').digest();
    signing = { secret, key: createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }) };
  }
  return signing.key;
}

/** Whether `value` has the form of a public key (raw 32 bytes, base64url without padding). */
export function isAgentTokenPublicKey(value: unknown): value is string {
  return typeof value === 'string' && PUBLIC_KEY_PATTERN.test(value) && Buffer.from(value, 'base64url').toString('base64url') === value;
}

function verifyingKey(publicKey: string): KeyObject {
  if (verifying?.publicKey !== publicKey) {
    if (!isAgentTokenPublicKey(publicKey)) throw new Error('the agent token public key must be 32 bytes, base64url (43 characters)');
    verifying = { publicKey, key: createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(publicKey, 'base64url')]), format: 'der', type: 'spki' }) };
  }
  return verifying.key;
}

/**
 * The public key that verifies what `secret` signs (raw 32 bytes, base64url): what the
 * sessions service publishes, and what BATON_AGENT_TOKEN_PUBLIC_KEY of a gateway holds.
 */
export function agentTokenPublicKey(secret: string): string {
  return createPublicKey(signingKey(secret)).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length).toString('base64url');
}

/** Signs `claims` for `ttlMs` from `issuedAt` (an ISO instant; the caller's clock) with the key derived from `secret`. */
export function signAgentToken(claims: AgentClaims, secret: string, issuedAt: string = new Date().toISOString(), ttlMs = AGENT_TOKEN_TTL_MS): string {
  const key = signingKey(secret);
  const iat = Date.parse(issuedAt);
  if (!Number.isFinite(iat)) throw new Error(`bad issuedAt ${issuedAt}`);
  if (!Number.isInteger(ttlMs) || ttlMs <= 0 || ttlMs > MAX_AGENT_TOKEN_TTL_MS) throw new Error(`bad ttlMs ${ttlMs}`);
  const payload = PayloadSchema.parse({ v: 1, claims: AgentClaimsSchema.parse(claims), iat, exp: iat + ttlMs });
  const body = `${AGENT_TOKEN_PREFIX}.${b64(JSON.stringify(payload))}`;
  return `${body}.${b64(sign(null, Buffer.from(body, 'utf8'), key))}`;
}

/**
 * Why a token is or is not valid: signature (Ed25519 against `publicKey`; it holds no secret,
 * so there is none to leak through timing), then shape, then expiry. Never throws on bad
 * input (only on a public key that is not one).
 */
export function inspectAgentToken(token: string, publicKey: string, now: string = new Date().toISOString()): AgentTokenVerdict {
  const key = verifyingKey(publicKey);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== AGENT_TOKEN_PREFIX || !parts[1] || !parts[2]) return { ok: false, reason: 'malformed' };
  const body = `${parts[0]}.${parts[1]}`;
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== ED25519_SIGNATURE_BYTES || !verifies(body, given, key)) return { ok: false, reason: 'bad_signature' };
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

function verifies(body: string, signature: Buffer, key: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(body, 'utf8'), key, signature);
  } catch {
    return false;
  }
}

/** The token's claims if it is genuine and unexpired, else null. */
export function verifyAgentToken(token: string, publicKey: string, now: string = new Date().toISOString()): VerifiedAgentClaims | null {
  const verdict = inspectAgentToken(token, publicKey, now);
  if (!verdict.ok) return null;
  return { ...verdict.claims, canSpawnWorkers: ROLES_THAT_SPAWN.has(verdict.claims.role), issuedAt: verdict.issuedAt, expiresAt: verdict.expiresAt };
}

/**
 * When a token says it was issued and expires, read WITHOUT checking its signature: for the
 * runner, which holds no key and only needs to know when to renew what it was given.
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
