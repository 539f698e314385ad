import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './api-client';

/** What `baton config set` and `baton login` keep between runs. */
export interface BatonConfig {
  apiUrl?: string;
  token?: string;
}

export const CONFIG_KEYS = ['api-url', 'token'] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];
const FIELD: Record<ConfigKey, keyof BatonConfig> = { 'api-url': 'apiUrl', token: 'token' };

export const DEFAULT_API_URL = 'http://127.0.0.1:3100';

type Env = Record<string, string | undefined>;

/** `BATON_CONFIG`, else `$XDG_CONFIG_HOME/baton/config.json`, else `~/.config/baton/config.json`. */
export function configPath(env: Env = process.env): string {
  if (env.BATON_CONFIG) return env.BATON_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'baton', 'config.json');
}

/** A missing file is an empty config; a broken one is named, never guessed around. */
export function readConfig(path: string): BatonConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(`cannot read the config file ${path}: ${(e as Error).message}`, 1);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`the config file ${path} is not valid JSON; fix it or delete it`, 2);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new CliError(`the config file ${path} must hold a JSON object`, 2);
  const raw = json as Record<string, unknown>;
  const cfg: BatonConfig = {};
  for (const field of Object.values(FIELD)) {
    const v = raw[field];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new CliError(`the config file ${path}: "${field}" must be a string`, 2);
    cfg[field] = v;
  }
  return cfg;
}

/** Written whole through a temporary file, readable by its owner only (it holds a token). */
export function writeConfig(path: string, cfg: BatonConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(cfg, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export function checkApiUrl(url: string, from: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(`${from} is not a URL: ${url}`, 2);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CliError(`${from} must be an http or https URL: ${url}`, 2);
  return url;
}

/** Checks a value before it goes into the file. */
export function parseConfigValue(key: ConfigKey, value: string): string {
  const v = value.trim();
  if (key === 'api-url') return checkApiUrl(v, 'api-url');
  if (!v) throw new CliError('token must not be empty', 2);
  if (/\s/.test(v)) throw new CliError('token must not contain white space', 2);
  return v;
}

export function setConfigValue(cfg: BatonConfig, key: ConfigKey, value: string | undefined): BatonConfig {
  const next = { ...cfg };
  if (value === undefined) delete next[FIELD[key]];
  else next[FIELD[key]] = parseConfigValue(key, value);
  return next;
}

/** What to show of a value: a token is never printed, only whether one is set. */
export function displayConfigValue(cfg: BatonConfig, key: ConfigKey): string {
  const v = cfg[FIELD[key]];
  if (key === 'token') return v ? '(set)' : '(not set)';
  return v ?? '(not set)';
}

export interface Connection {
  apiUrl: string;
  token?: string;
  /** Where each came from, for `baton config show`. */
  sources: { apiUrl: 'env' | 'config' | 'default'; token: TokenSource };
}
export type TokenSource = 'file' | 'env' | 'config' | 'none';

/** The first line of a token file, or null when it cannot be read or is empty. */
export function readTokenFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').split('\n', 1)[0].trim() || null;
  } catch {
    return null;
  }
}

/**
 * The token in force: inside a session the runner keeps it fresh in BATON_TOKEN_FILE (session
 * tokens live an hour and are renewed; the environment cannot change under a running agent,
 * decision 0024), so that file first, then BATON_TOKEN, then the config file's. Read again on
 * every request by a long-running process (`baton mcp`, the demo agent).
 */
export function resolveToken(env: Env, cfg: BatonConfig, readFile: (path: string) => string | null = readTokenFile): { token?: string; source: TokenSource } {
  const fromFile = env.BATON_TOKEN_FILE ? readFile(env.BATON_TOKEN_FILE) : null;
  if (fromFile) return { token: fromFile, source: 'file' };
  if (env.BATON_TOKEN) return { token: env.BATON_TOKEN, source: 'env' };
  if (cfg.token) return { token: cfg.token, source: 'config' };
  return { source: 'none' };
}

/** The environment wins over the config file; the file over the default URL. */
export function resolveConnection(env: Env, cfg: BatonConfig, readFile?: (path: string) => string | null): Connection {
  const apiUrl = env.BATON_API_URL || cfg.apiUrl;
  const { token, source } = resolveToken(env, cfg, readFile);
  return {
    apiUrl: checkApiUrl(apiUrl ?? DEFAULT_API_URL, env.BATON_API_URL ? 'BATON_API_URL' : 'api-url in the config file'),
    ...(token ? { token } : {}),
    sources: {
      apiUrl: env.BATON_API_URL ? 'env' : cfg.apiUrl ? 'config' : 'default',
      token: source,
    },
  };
}
