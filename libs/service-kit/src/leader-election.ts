import type { DataSource, QueryRunner } from 'typeorm';
import type { Logger } from '@baton/event-store';

/** Work that exactly one replica does at a time (a scheduler, a watcher, a dispatcher). */
export interface LeaderRole {
  /** Names its advisory lock, together with the elector's scope. */
  readonly name: string;
  /** This replica took the lock: start working. */
  onElected(): Promise<void> | void;
  /** The lock is gone (connection lost, or stopping): stop and resolve once no work is in flight. */
  onDeposed(): Promise<void> | void;
}

export interface LeaderElectorOptions {
  db: DataSource;
  /** Makes lock keys unique per installation (e.g. the service's Postgres schema). */
  scope: string;
  logger: Logger;
  /** How often a standby tries to take free locks and a leader checks its connection. */
  checkEveryMs?: number;
  /** A lock connection that does not answer within this long counts as lost. */
  confirmTimeoutMs?: number;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A lock connection we stopped trusting is closed, never handed back to the pool: if the
 * server still had it, its session locks would stay held by a pooled connection forever.
 */
async function destroy(conn: QueryRunner): Promise<void> {
  const withError = conn as unknown as { releasePostgresConnection?: (err: Error) => Promise<void> };
  if (typeof withError.releasePostgresConnection === 'function') await withError.releasePostgresConnection(new Error('leader lock connection lost')).catch(() => undefined);
  else await conn.release().catch(() => undefined);
}

/**
 * One replica per role, elected by a Postgres session advisory lock held on a dedicated
 * connection (as the projection runner does). A lock lives exactly as long as its
 * connection: a replica that dies or loses its connection loses its roles, and a standby
 * takes them at its next check. A leader confirms the connection before each unit of work
 * (`confirm`), which narrows the window in which two replicas could both act.
 */
export class LeaderElector {
  private readonly roles = new Map<string, { role: LeaderRole; leader: boolean }>();
  private conn?: QueryRunner;
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private checking: Promise<void> = Promise.resolve();
  /** Queries on the lock connection run one at a time (pg refuses to interleave them). */
  private queue: Promise<unknown> = Promise.resolve();
  private confirming?: Promise<boolean>;

  constructor(private readonly opts: LeaderElectorOptions) {}

  add(role: LeaderRole): this {
    if (this.roles.has(role.name)) throw new Error(`leader role "${role.name}" is already registered`);
    this.roles.set(role.name, { role, leader: false });
    return this;
  }

  isLeader(name: string): boolean {
    return this.roles.get(name)?.leader ?? false;
  }

  lockKey(name: string): string {
    return `baton-leader:${this.opts.scope}:${name}`;
  }

  async start(): Promise<void> {
    this.stopping = false;
    await this.check();
    this.schedule();
  }

  /** True while this replica's lock connection answers; a leader calls it before acting. Concurrent calls share one query. */
  confirm(): Promise<boolean> {
    this.confirming ??= withTimeout(this.query('SELECT 1'), this.opts.confirmTimeoutMs ?? 5_000)
      .then(
        () => true,
        () => false,
      )
      .finally(() => (this.confirming = undefined));
    return this.confirming;
  }

  private query<T>(sql: string, params?: unknown[]): Promise<T> {
    const run = async () => {
      const conn = this.conn;
      if (!conn || conn.isReleased) throw new Error('no lock connection');
      return (await conn.query(sql, params)) as T;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private schedule(): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.checking = this.check()
        .catch((e) => this.opts.logger.warn({ err: e }, 'leader election failed'))
        .finally(() => this.schedule());
    }, this.opts.checkEveryMs ?? 2_000);
  }

  /** Reconnects when the lock connection died (its locks died with it), then takes every free lock. */
  private async check(): Promise<void> {
    if (this.stopping) return;
    if (this.conn && !(await this.confirm())) {
      this.opts.logger.warn({ scope: this.opts.scope }, 'lost the leader lock connection; standing down');
      await this.deposeAll();
      await destroy(this.conn);
      this.conn = undefined;
      this.queue = Promise.resolve();
    }
    if (!this.conn) {
      const conn = this.opts.db.createQueryRunner();
      await conn.connect();
      this.conn = conn;
    }
    for (const entry of this.roles.values()) {
      if (entry.leader || this.stopping) continue;
      const [{ locked }] = await this.query<{ locked: boolean }[]>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [this.lockKey(entry.role.name)]);
      if (!locked) continue;
      entry.leader = true;
      this.opts.logger.info({ role: entry.role.name, scope: this.opts.scope }, 'elected leader');
      try {
        await entry.role.onElected();
      } catch (e) {
        // Could not start leading: give the lock back so another replica may try.
        this.opts.logger.error({ err: e, role: entry.role.name }, 'leader failed to start; releasing its lock');
        entry.leader = false;
        await Promise.resolve(entry.role.onDeposed()).catch(() => undefined);
        await this.query('SELECT pg_advisory_unlock(hashtext($1))', [this.lockKey(entry.role.name)]).catch(() => undefined);
      }
    }
  }

  private async deposeAll(): Promise<void> {
    await Promise.allSettled(
      [...this.roles.values()]
        .filter((e) => e.leader)
        .map(async (e) => {
          e.leader = false;
          this.opts.logger.warn({ role: e.role.name }, 'deposed');
          await e.role.onDeposed();
        }),
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.checking.catch(() => undefined);
    await this.deposeAll();
    if (this.conn && !this.conn.isReleased) {
      // Session locks outlive a pooled connection's release: give them back explicitly.
      await this.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await this.conn.release().catch(() => undefined);
    }
    this.conn = undefined;
  }
}

export interface LeaderLoopOptions {
  name: string;
  /** Time between the end of one tick and the start of the next. */
  intervalMs: number;
  tick(): Promise<void>;
  logger: Logger;
  /** Checked before each tick (e.g. `LeaderElector.confirm`); false skips the tick. */
  confirm?: () => Promise<boolean>;
  /** Extra work while leading (e.g. an event subscription that pokes the loop). */
  onStart?: () => Promise<void> | void;
  onStop?: () => Promise<void> | void;
}

/**
 * A periodic tick that runs only while this replica leads its role. Ticks never overlap;
 * `poke()` asks for one as soon as the current one ends (pokes in between coalesce).
 */
export class LeaderLoop implements LeaderRole {
  private leading = false;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private poked = false;

  constructor(private readonly opts: LeaderLoopOptions) {}

  get name(): string {
    return this.opts.name;
  }

  get isLeading(): boolean {
    return this.leading;
  }

  async onElected(): Promise<void> {
    this.leading = true;
    await this.opts.onStart?.();
    this.later(0);
  }

  async onDeposed(): Promise<void> {
    this.leading = false;
    clearTimeout(this.timer);
    await this.running;
    await this.opts.onStop?.();
  }

  poke(): void {
    if (!this.leading) return;
    if (this.running) {
      this.poked = true;
      return;
    }
    this.later(0);
  }

  private later(ms: number): void {
    clearTimeout(this.timer);
    if (this.leading) this.timer = setTimeout(() => this.run(), ms);
  }

  private run(): void {
    if (!this.leading || this.running) return;
    this.poked = false;
    this.running = (async () => {
      try {
        if (this.opts.confirm && !(await this.opts.confirm())) return;
        if (this.leading) await this.opts.tick();
      } catch (e) {
        this.opts.logger.error({ err: e, loop: this.opts.name }, 'leader tick failed');
      }
    })().finally(() => {
      this.running = undefined;
      this.later(this.poked ? 0 : this.opts.intervalMs);
    });
  }
}
