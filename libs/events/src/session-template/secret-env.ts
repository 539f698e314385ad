/*
 * Secret environment values (security #12 item 4). A value is secret when its template marks
 * the name (`secretEnv`) or the name looks like a credential. Secret values are write-only:
 * every read shows SECRET_ENV_MARKER instead, and a write that sends the marker back (or lists
 * the name in `secretEnv` without a value) keeps the value stored before. The events keep the
 * real value: the runner needs it; text a session shows has them masked (docs/decisions/0018).
 */

/** What a read shows instead of a secret value; sent back in a write, it keeps the stored value. */
export const SECRET_ENV_MARKER = '••••';

/** Secret without being marked: `*_KEY`, `*_TOKEN`, `*_SECRET` (or exactly KEY/TOKEN/SECRET) and anything with PASSWORD, in any case. */
export const DEFAULT_SECRET_ENV_NAME = /(?:^|_)(?:KEY|TOKEN|SECRET)$|PASSWORD/i;

export interface EnvWithSecrets {
  env: Record<string, string>;
  /** Names marked secret; absent: none marked. */
  secretEnv?: readonly string[];
}

export function isSecretEnvName(name: string, marked: readonly string[] = []): boolean {
  return marked.includes(name) || DEFAULT_SECRET_ENV_NAME.test(name);
}

/** The names of `env` whose values a read never shows, sorted. */
export function secretEnvNames(env: Record<string, string>, marked: readonly string[] = []): string[] {
  return Object.keys(env)
    .filter((name) => isSecretEnvName(name, marked))
    .sort();
}

/** `env` with every secret value replaced by the marker. */
export function redactEnv(env: Record<string, string>, marked: readonly string[] = []): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, isSecretEnvName(name, marked) ? SECRET_ENV_MARKER : value]));
}

/** A template spec (or anything with `env` and `secretEnv`) as a read shows it. */
export function redactSecretEnv<T extends EnvWithSecrets>(spec: T): T {
  return { ...spec, env: redactEnv(spec.env, spec.secretEnv) };
}

export type KeptSecretEnv = { ok: true; env: Record<string, string>; secretEnv: string[] | undefined } | { ok: false; problems: { name: string; message: string }[] };

/**
 * The env a write means: the marker, or a name in `secretEnv` without a value, stands for the
 * value `previous` stored under that name; there must be one. `secretEnv` comes back sorted
 * and without duplicates, absent when empty (so an unchanged spec compares equal).
 */
export function keepSecretEnv(next: EnvWithSecrets, previous: EnvWithSecrets | null): KeptSecretEnv {
  const stored = previous?.env ?? {};
  const has = (name: string) => Object.hasOwn(stored, name);
  const env: Record<string, string> = {};
  const problems: { name: string; message: string }[] = [];
  for (const [name, value] of Object.entries(next.env)) {
    if (value !== SECRET_ENV_MARKER) env[name] = value;
    else if (has(name)) env[name] = stored[name];
    else problems.push({ name, message: `"${SECRET_ENV_MARKER}" keeps the stored value of ${name}, and none is stored: send the value` });
  }
  const marked = [...new Set(next.secretEnv ?? [])].sort();
  for (const name of marked) {
    if (Object.hasOwn(env, name) || Object.hasOwn(next.env, name)) continue;
    if (has(name)) env[name] = stored[name];
    else problems.push({ name, message: `secretEnv names ${name}, which has no value: send it in env` });
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, env, secretEnv: marked.length ? marked : undefined };
}

/** Shorter values are too likely to occur in ordinary text to be cut out of it. */
const MIN_MASKED_LENGTH = 8;

/** The secret values of a template worth cutting out of text, longest first (a value inside another goes after it). */
export function secretEnvValues(spec: EnvWithSecrets): string[] {
  const values = Object.entries(spec.env)
    .filter(([name, value]) => isSecretEnvName(name, spec.secretEnv) && value.length >= MIN_MASKED_LENGTH && !value.includes('{{'))
    .map(([, value]) => value);
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

/** Every string in `value`, however deep, with each of `secrets` replaced by the marker. */
export function maskSecretValues<T>(value: T, secrets: readonly string[]): T {
  if (!secrets.length) return value;
  const mask = (v: unknown): unknown => {
    if (typeof v === 'string') return secrets.reduce((text, s) => (text.includes(s) ? text.split(s).join(SECRET_ENV_MARKER) : text), v);
    if (Array.isArray(v)) return v.map(mask);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mask(x)]));
    return v;
  };
  return mask(value) as T;
}
