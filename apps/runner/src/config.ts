import { existsSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { BaseConfigSchema, DatabaseConfigSchema } from '@baton/service-kit';
import { persistentRunnerId } from './runner-id';

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const LABEL_KEY = /^[A-Za-z0-9_./-]{1,64}$/;


/** `k=v,k=v` → `{k: v}`; blanks ignored, a pair without `=` or a repeated key is an error. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const raw of text.split(',')) {
    const pair = raw.trim();
    if (!pair) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`"${pair}" is not key=value`);
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (!LABEL_KEY.test(key)) throw new Error(`label key "${key}" must be 1-64 of letters, digits, "_", ".", "/", "-"`);
    if (value.length > 256) throw new Error(`label ${key}'s value is longer than 256 characters`);
    if (key in labels) throw new Error(`label ${key} is given twice`);
    labels[key] = value;
  }
  return labels;
}

const labelsSchema = z.string().default('').transform((text, ctx) => {
  try {
    return parseLabels(text);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

const portRange = z
  .string()
  .regex(/^\d{1,5}-\d{1,5}$/, 'must be FROM-TO')
  .default('20000-29999')
  .transform((s, ctx) => {
    const [from, to] = s.split('-').map(Number);
    if (!(from >= 1 && to <= 65_535 && from <= to)) {
      ctx.addIssue({ code: 'custom', message: 'must be a range within 1-65535' });
      return z.NEVER;
    }
    return { from, to };
  });

/** Variables a session inherits from the runner's own environment (exact names, or `PREFIX*` / `*SUFFIX`). */
export const DEFAULT_PASS_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'LC_*', 'TZ', 'TMPDIR', 'SSH_AUTH_SOCK', '*_API_KEY'];

export const RunnerConfigSchema = BaseConfigSchema.extend(DatabaseConfigSchema.shape)
  .extend({
    PORT: BaseConfigSchema.shape.PORT.default(3103),
    /** Default: made once per installation and kept (`<data dir>/runner-id`, or `~/.baton/runner/<namespace>.runner-id`). */
    BATON_RUNNER_ID: z.string().regex(ID, 'must be 1-64 letters, digits, "_" or "-"').optional(),
    BATON_RUNNER_CAPACITY: z.coerce.number().int().min(0).max(10_000).default(4),
    BATON_RUNNER_LABELS: labelsSchema,
    /** Where worktrees, mirrors, project checkouts and session files live; default `~/.baton/runner/<id>`. */
    BATON_DATA_DIR: z.string().min(1).refine(isAbsolute, 'must be an absolute path').optional(),
    /**
     * The runner's NATS password, read from this file (NATS_URL then names only the user): a
     * Kubernetes runner reads its own from a mounted Secret by its pod name (docs/decisions/0025).
     */
    NATS_PASSWORD_FILE: z.string().min(1).refine(isAbsolute, 'must be an absolute path').optional(),
    /** When set, the HTTP routes beside health need `X-Baton-Runner-Secret: <this>`. */
    BATON_RUNNER_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    /** The git identity of agents' commits (GIT_AUTHOR_* / GIT_COMMITTER_* in their environment, never ~/.gitconfig). */
    BATON_GIT_AUTHOR_NAME: z.string().min(1).max(200).default('Baton Agent'),
    BATON_GIT_AUTHOR_EMAIL: z.string().min(3).max(200).regex(/^[^\s<>]+@[^\s<>]+$/, 'must be an e-mail address').default('agent@baton.local'),
    /** TCP ports handed out as BATON_PORT. */
    BATON_RUNNER_PORTS: portRange,
    /** Extra names (or `PREFIX*`) sessions inherit from the runner's environment, comma-separated. */
    BATON_RUNNER_PASS_ENV: z.string().default(''),
    BATON_RUNNER_HEARTBEAT_MS: z.coerce.number().int().min(200).max(60_000).default(3_000),
    /**
     * Nice value of the heartbeat's own thread (docs/decisions/0026): below 0 puts it above the
     * runner's other work and the agents where the system allows it (CAP_SYS_NICE); else it keeps 0.
     */
    BATON_RUNNER_HEARTBEAT_NICE: z.coerce.number().int().min(-20).max(0).default(-5),
    /** Admission: sessions starting at once (placed, not yet ready) on this runner; the rest wait `pending`. */
    BATON_RUNNER_MAX_STARTING: z.coerce.number().int().min(1).max(10_000).default(64),
    /**
     * Admission: above this load per core (the 1-minute load average, or the tasks runnable right
     * now when more — a burst shows at once), only BATON_RUNNER_MAX_STARTING_OVER_LOAD start at once.
     */
    BATON_RUNNER_START_LOAD_LIMIT: z.coerce.number().min(0.1).max(1_000).default(3),
    BATON_RUNNER_MAX_STARTING_OVER_LOAD: z.coerce.number().int().min(1).max(10_000).default(8),
    /** On SIGTERM: how long hosted sessions may keep running before they are stopped. */
    BATON_RUNNER_DRAIN_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
    BATON_RUNNER_SETUP_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(600_000),
    /** How long a first clone of a project's repository may take; a stop of the session waiting for it kills it sooner. */
    BATON_RUNNER_GIT_CLONE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
    /** How long a fetch or push of a project's repository may take. */
    BATON_RUNNER_GIT_FETCH_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
    /**
     * Nice value (0-19) the sessions' programs run at. Above the runner's own, so a machine full
     * of busy agents still gets its heartbeats, terminals and starts through.
     */
    BATON_AGENT_NICE: z.coerce.number().int().min(0).max(19).default(5),
    /**
     * Sessions run in bubblewrap (apps/runner/src/host/sandbox.ts): `auto` where it works (a
     * warning where not), `on` (the runner does not start without it), `off`.
     */
    BATON_RUNNER_SANDBOX: z.enum(['auto', 'on', 'off']).default('auto'),
    /**
     * Sessions' PTYs are held by the PTY keeper, a process of the runner's that outlives it, so a
     * restarted runner takes its sessions back (docs/decisions/0029); `off`: they die with it.
     */
    BATON_RUNNER_KEEPER: z.enum(['on', 'off']).default('on'),
    /**
     * The uid (and gid) a root runner's agents run as (host/agent-user.ts; default 64000): an
     * unprivileged user of their own, never root. A runner that is not root runs them as itself.
     */
    BATON_RUNNER_AGENT_UID: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
    /** More directories agents must not see (comma-separated absolute paths), beside the data dir; e.g. BATON_HOME. */
    BATON_RUNNER_SANDBOX_HIDE: z
      .string()
      .default('')
      .transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean))
      .refine((dirs) => dirs.every(isAbsolute), 'must be absolute paths, comma-separated'),
    /**
     * Where the gateway reaches this runner's HTTP API, announced in its heartbeat (e.g.
     * `http://$(POD_IP):3103`). Default: HOST:PORT when HOST is a concrete address, else this
     * machine's hostname.
     */
    BATON_RUNNER_PUBLIC_URL: z
      .string()
      .regex(/^https?:\/\/[^\s/]+(?:\/[^\s]*)?$/, 'must be an http(s) URL')
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  })
  .transform((c) => {
    const BATON_RUNNER_ID = c.BATON_RUNNER_ID ?? persistentRunnerId(c.BATON_DATA_DIR ? join(c.BATON_DATA_DIR, 'runner-id') : join(homedir(), '.baton', 'runner', `${c.BATON_NAMESPACE}.runner-id`));
    return { ...c, BATON_RUNNER_ID };
  })
  .transform((c) => ({
    ...c,
    BATON_DATA_DIR: c.BATON_DATA_DIR ?? defaultDataDir(c.BATON_RUNNER_ID),
    publicUrl: c.BATON_RUNNER_PUBLIC_URL ?? `http://${['0.0.0.0', '::', ''].includes(c.HOST) ? hostname() : c.HOST.includes(':') ? `[${c.HOST}]` : c.HOST}:${c.PORT}`,
    passEnv: [
      ...DEFAULT_PASS_ENV,
      ...c.BATON_RUNNER_PASS_ENV.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ],
  }));
export type RunnerConfig = z.output<typeof RunnerConfigSchema>;

/**
 * `~/.baton/runner/<id>`; for root, `/var/lib/baton/runner/<id>` (unless the first already
 * exists): the agents' own user must be able to pass through to their worktrees, and root's
 * home is closed to others.
 */
function defaultDataDir(runnerId: string): string {
  const inHome = join(homedir(), '.baton', 'runner', runnerId);
  return process.getuid?.() === 0 && !existsSync(inHome) ? join(DEFAULT_ROOT_DATA_PARENT, runnerId) : inHome;
}

/** Where a root runner keeps its data dirs by default, one per runner id. */
export const DEFAULT_ROOT_DATA_PARENT = '/var/lib/baton/runner';
