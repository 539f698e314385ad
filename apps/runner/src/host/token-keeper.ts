import { chmod, chown, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readAgentTokenTimes } from '@baton/agent-auth';
import { AgentTokenReplySchema, type AgentTokenReply } from '@baton/events';
import type { Broker, Logger } from '@baton/event-store';

/*
 * Session tokens live short (an hour by default); the runner keeps each hosted session's token
 * fresh in a file of the session's own directory (BATON_TOKEN_FILE), which `baton` reads before
 * BATON_TOKEN — an environment variable cannot change in a running agent. Decision 0024.
 * The runner holds no signing secret: it asks the sessions service, which answers only for a
 * session live on this runner. A late renewal never stops a session: it is retried, with
 * backoff, for as long as the session runs here.
 */

/** Renewal lands between 40 % and 50 % of a token's life (jitter spreads a burst of starts). */
const RENEW_AT = 0.5;
const JITTER = 0.1;
const MAX_BACKOFF_MS = 60_000;
/** Once the token has expired the agent is stuck: ask more often. */
const MAX_BACKOFF_EXPIRED_MS = 10_000;
const MIN_RETRY_MS = 1_000;

export interface TokenTimes {
  issuedAt: number;
  expiresAt: number;
}

/**
 * When to renew a token received at `now`: after about half its life, measured on this clock as
 * far as it can be — never later than half a life before it expires by this clock (a clock ahead
 * of the sessions service's renews sooner), never later than half a life from now (one behind).
 */
export function renewalDelay(times: TokenTimes, now: number, random = Math.random()): number {
  const life = Math.max(0, times.expiresAt - times.issuedAt);
  const share = RENEW_AT - JITTER * random;
  return Math.max(0, Math.min(life * share, times.expiresAt - now - life * (1 - share)));
}

/** After `failures` failed renewals in a row: 1 s, 2 s, 4 s … at most a minute, and at most a quarter of what the token has left. */
export function retryDelay(failures: number, times: TokenTimes | null, now: number): number {
  const backoff = Math.min(MAX_BACKOFF_MS, MIN_RETRY_MS * 2 ** Math.min(Math.max(failures - 1, 0), 6));
  if (!times) return backoff;
  const left = times.expiresAt - now;
  if (left <= 0) return Math.min(backoff, MAX_BACKOFF_EXPIRED_MS);
  return Math.max(MIN_RETRY_MS, Math.min(backoff, left / 4));
}

/** The name of one start's token file in the session's directory (a newer start of the session has its own). */
export const tokenFileName = (startSeq: number) => `baton-token-${startSeq}`;

/**
 * Replaces the file whole (a reader sees the old token or the new one, never half), readable by
 * its owner only — the owner of the session dir: on a root runner, the agents' user (agent-user.ts).
 */
export async function writeTokenFile(path: string, token: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmp, `${token}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    const dir = await stat(dirname(path));
    if (process.getuid?.() === 0 && dir.uid !== 0) await chown(tmp, dir.uid, dir.gid);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

export type RenewToken = (sessionId: string) => Promise<AgentTokenReply>;

/** Asks the sessions service on `<ns>.agent_token.<runnerId>` (request/reply, nothing stored). */
export function natsTokenRenewal(broker: Broker, runnerId: string, timeoutMs = 10_000): RenewToken {
  return async (sessionId) => {
    const reply = await broker.nc.request(broker.names.agentToken(runnerId), JSON.stringify({ sessionId }), { timeout: timeoutMs });
    return AgentTokenReplySchema.parse(reply.json());
  };
}

export interface TokenKeeperOptions {
  renew: RenewToken;
  logger: Logger;
  now?: () => number;
  random?: () => number;
  /** How the file is replaced (tests watch it). */
  write?: (path: string, token: string) => Promise<void>;
}

/** One session's token being kept fresh; `stop` when its process has ended. */
export interface KeptToken {
  readonly file: string;
  /** Renewals that succeeded so far. */
  readonly renewals: number;
  stop(opts?: { removeFile?: boolean }): void;
}

export class TokenKeeper {
  private readonly kept = new Set<KeptSessionToken>();

  constructor(private readonly o: TokenKeeperOptions) {}

  get size(): number {
    return this.kept.size;
  }

  /** Starts renewing `token` (already written to `file`) for the session; a token it cannot read is kept as it is. */
  keep(sessionId: string, file: string, token: string): KeptToken {
    const kept = new KeptSessionToken(sessionId, file, readAgentTokenTimes(token), this.o, () => this.kept.delete(kept));
    this.kept.add(kept);
    return kept;
  }

  stopAll(): void {
    for (const k of [...this.kept]) k.stop();
  }
}

class KeptSessionToken implements KeptToken {
  renewals = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly now: () => number;

  constructor(
    readonly sessionId: string,
    readonly file: string,
    private times: TokenTimes | null,
    private readonly o: TokenKeeperOptions,
    private readonly forget: () => void,
  ) {
    this.now = o.now ?? Date.now;
    if (!times) {
      o.logger.warn({ sessionId }, 'the session token is not one this runner can renew; it is kept as it came');
      return;
    }
    this.schedule(renewalDelay(times, this.now(), (o.random ?? Math.random)()));
  }

  stop(opts: { removeFile?: boolean } = {}): void {
    if (!this.stopped) {
      this.stopped = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.forget();
    }
    if (opts.removeFile) void unlink(this.file).catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.renew(), delayMs);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    this.timer = null;
    let reply: AgentTokenReply;
    try {
      reply = await this.o.renew(this.sessionId);
      if (reply.ok && !this.stopped) await (this.o.write ?? writeTokenFile)(this.file, reply.token);
    } catch (e) {
      reply = { ok: false, code: 'unavailable', message: e instanceof Error ? e.message : String(e) };
    }
    if (this.stopped) return;
    const now = this.now();
    if (reply.ok) {
      const times = readAgentTokenTimes(reply.token) ?? { issuedAt: Date.parse(reply.issuedAt), expiresAt: Date.parse(reply.expiresAt) };
      this.times = times;
      this.renewals++;
      if (this.failures) this.o.logger.info({ sessionId: this.sessionId, failures: this.failures }, 'session token renewed again');
      this.failures = 0;
      this.schedule(renewalDelay(times, now, (this.o.random ?? Math.random)()));
      return;
    }
    this.failures++;
    const delay = retryDelay(this.failures, this.times, now);
    // The first failure and then one in ten: a sessions service that is down for long does not flood the log.
    if (this.failures === 1 || this.failures % 10 === 0) {
      const expired = this.times ? this.times.expiresAt <= now : false;
      this.o.logger.warn({ sessionId: this.sessionId, code: reply.code, why: reply.message, failures: this.failures, retryInMs: Math.round(delay), expired }, 'could not renew the session token; retrying');
    }
    this.schedule(delay);
  }
}
