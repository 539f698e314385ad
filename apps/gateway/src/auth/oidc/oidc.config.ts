import { createHash } from 'node:crypto';
import { RoleSchema, type Role } from '@baton/events';
import { z } from 'zod';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** `baton-admins=admin,devs=operator` → group → role. A malformed entry stops the gateway, naming it. */
export function parseRoleMap(text: string): Map<string, Role> {
  const map = new Map<string, Role>();
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const at = entry.lastIndexOf('=');
    const group = entry.slice(0, at).trim();
    const role = RoleSchema.safeParse(entry.slice(at + 1).trim());
    if (at <= 0 || !group || !role.success) throw new Error(`"${entry}" is not group=admin|operator|viewer`);
    map.set(group, role.data);
  }
  return map;
}

/**
 * The role a person's groups give: the highest any mapped group names, else the default.
 * `null`: no mapped group and no default — this person may not sign in.
 */
export function roleFromGroups(groups: readonly string[], map: ReadonlyMap<string, Role>, fallback: Role | null): Role | null {
  let best: Role | null = null;
  for (const group of groups) {
    const role = map.get(group);
    if (role && (best === null || RANK[role] > RANK[best])) best = role;
  }
  return best ?? fallback;
}

/** The groups claim as a list: an array of strings, or one string (some providers send one group so). */
export function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
}

/** The user id an identity gets on its first sign-in: stable, and no other identity's. */
export function userIdFor(issuer: string, subject: string): string {
  return `oidc-${createHash('sha256').update(`${issuer}\n${subject}`).digest('hex').slice(0, 32)}`;
}

/** The name a person is shown under: what the provider calls it, cut to what a name may be. */
export function displayNameOf(claims: Record<string, unknown>): string {
  for (const key of ['name', 'preferred_username', 'email', 'sub']) {
    const value = claims[key];
    if (typeof value === 'string' && value.trim()) return value.trim().slice(0, 200);
  }
  return 'unnamed';
}

const isLoopback = (host: string) => host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** Single sign-on's variables, an empty one taken as unset (docker compose passes `${X:-}` so). */
export function oidcEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('BATON_OIDC_') && v !== ''));
}

export const OidcEnvSchema = z.object({
  /** The provider (its discovery document is at `<issuer>/.well-known/openid-configuration`); unset: tokens only. */
  BATON_OIDC_ISSUER: z
    .url()
    .refine((u) => new URL(u).protocol === 'https:' || (new URL(u).protocol === 'http:' && isLoopback(new URL(u).hostname)), 'must be https (http only on a loopback address)')
    .optional(),
  BATON_OIDC_CLIENT_ID: z.string().min(1).max(500).optional(),
  BATON_OIDC_CLIENT_SECRET: z.string().min(16, 'must be at least 16 characters').max(2000).optional(),
  /** The role of a person in no mapped group; `none` refuses them. */
  BATON_OIDC_DEFAULT_ROLE: z.enum(['admin', 'operator', 'viewer', 'none']).default('viewer'),
  BATON_OIDC_GROUPS_CLAIM: z.string().min(1).max(200).default('groups'),
  BATON_OIDC_ROLE_MAP: z.string().max(10_000).default(''),
  /** Where the provider sends the browser back; default: this gateway's own callback as the browser reached it. */
  BATON_OIDC_REDIRECT_URL: z.url().optional(),
  BATON_OIDC_SCOPES: z.string().max(1000).default('openid profile email'),
  /** What the sign-in button says: "Sign in with <name>"; default the issuer's host. */
  BATON_OIDC_PROVIDER_NAME: z.string().min(1).max(100).optional(),
  /** How long the token a sign-in hands the console lives. */
  BATON_OIDC_TOKEN_TTL_S: z.coerce.number().int().min(60).max(7 * 86_400).default(8 * 3600),
});

export interface OidcSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  defaultRole: Role | null;
  groupsClaim: string;
  roleMap: Map<string, Role>;
  redirectUrl?: string;
  scopes: string;
  providerName: string;
  tokenTtlMs: number;
}

/** Single sign-on's settings, or null when no issuer is set. Half a configuration stops the gateway, naming what is missing. */
export function oidcSettings(env: z.output<typeof OidcEnvSchema>): OidcSettings | null {
  if (!env.BATON_OIDC_ISSUER) {
    const stray = (['BATON_OIDC_CLIENT_ID', 'BATON_OIDC_CLIENT_SECRET'] as const).filter((k) => env[k]);
    if (stray.length) throw new Error(`${stray.join(' and ')} set without BATON_OIDC_ISSUER`);
    return null;
  }
  const missing = (['BATON_OIDC_CLIENT_ID', 'BATON_OIDC_CLIENT_SECRET'] as const).filter((k) => !env[k]);
  if (missing.length) throw new Error(`BATON_OIDC_ISSUER is set: ${missing.join(' and ')} must be set too`);
  let roleMap: Map<string, Role>;
  try {
    roleMap = parseRoleMap(env.BATON_OIDC_ROLE_MAP);
  } catch (e) {
    throw new Error(`BATON_OIDC_ROLE_MAP: ${(e as Error).message}`);
  }
  const issuer = new URL(env.BATON_OIDC_ISSUER);
  return {
    issuer,
    clientId: env.BATON_OIDC_CLIENT_ID!,
    clientSecret: env.BATON_OIDC_CLIENT_SECRET!,
    defaultRole: env.BATON_OIDC_DEFAULT_ROLE === 'none' ? null : env.BATON_OIDC_DEFAULT_ROLE,
    groupsClaim: env.BATON_OIDC_GROUPS_CLAIM,
    roleMap,
    ...(env.BATON_OIDC_REDIRECT_URL ? { redirectUrl: env.BATON_OIDC_REDIRECT_URL } : {}),
    scopes: env.BATON_OIDC_SCOPES.split(/\s+/).includes('openid') ? env.BATON_OIDC_SCOPES : `openid ${env.BATON_OIDC_SCOPES}`,
    providerName: env.BATON_OIDC_PROVIDER_NAME ?? issuer.host,
    tokenTtlMs: env.BATON_OIDC_TOKEN_TTL_S * 1000,
  };
}
