import { z } from 'zod';
import { IdSchema } from '@baton/events';
import { readHeartbeat } from '../runners/heartbeat';
import type { Broker } from '@baton/event-store';

/** `id=url,id=url` → a map; a pair without `=`, a bad id or URL, or a repeated id is an error naming it. */
export function parseRunnerUrls(text: string): Map<string, string> {
  const urls = new Map<string, string>();
  for (const raw of text.split(',')) {
    const pair = raw.trim();
    if (!pair) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`"${pair}" is not runnerId=url`);
    const id = pair.slice(0, eq).trim();
    const url = pair.slice(eq + 1).trim().replace(/\/+$/, '');
    if (!IdSchema.safeParse(id).success) throw new Error(`runner id "${id}" must be letters, digits, "_" or "-"`);
    if (!z.url({ protocol: /^https?$/ }).safeParse(url).success) throw new Error(`runner ${id}'s URL "${url}" is not an http(s) URL`);
    if (urls.has(id)) throw new Error(`runner ${id} is given twice`);
    urls.set(id, url);
  }
  return urls;
}

export const RunnerProxyConfigSchema = z.object({
  /** Where runners' HTTP APIs listen (`runnerId=http://host:3103,…`); a runner not listed is reached where its heartbeat says (BATON_RUNNER_PUBLIC_URL). */
  BATON_RUNNER_URLS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        return parseRunnerUrls(text);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    }),
  /** Sent as X-Baton-Runner-Secret; the runners' BATON_RUNNER_SECRET. */
  BATON_RUNNER_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16, 'must be at least 16 characters').optional()),
  BATON_RUNNER_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(120_000),
});

/** A runner's address as its latest heartbeat announces it; null when it announces none. */
export type AnnouncedUrl = (runnerId: string) => Promise<string | null>;

/** The address in the runner's heartbeat (KV `<ns>_runners`). */
export function heartbeatUrls(broker: Broker): AnnouncedUrl {
  return async (runnerId) => (await readHeartbeat(await broker.kv(broker.names.kv.runners), runnerId))?.httpUrl ?? null;
}

/** Where the gateway reaches each runner's HTTP API, and the secret it shows there. */
export class RunnerDirectory {
  constructor(
    private readonly urls: ReadonlyMap<string, string>,
    readonly secret: string | null,
    readonly timeoutMs: number,
    private readonly announced: AnnouncedUrl = async () => null,
  ) {}

  static fromConfig(c: z.output<typeof RunnerProxyConfigSchema>, announced?: AnnouncedUrl): RunnerDirectory {
    return new RunnerDirectory(c.BATON_RUNNER_URLS, c.BATON_RUNNER_SECRET ?? null, c.BATON_RUNNER_TIMEOUT_MS, announced);
  }

  /** BATON_RUNNER_URLS first (an operator's word wins), then the runner's own announcement. */
  async urlOf(runnerId: string): Promise<string | null> {
    return this.urls.get(runnerId) ?? (await this.announced(runnerId).catch(() => null));
  }
}
