import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  jetstream,
  jetstreamManager,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { names, type Names } from '@baton/events';
import { TRY_TIMEOUT_MS } from './until-answered';

export interface BrokerOptions {
  servers: string | string[];
  namespace: string;
  /** Shown in the server's connection list. */
  name?: string;
  /**
   * Where replies to this connection go (default `_INBOX`). A runner's credentials may only
   * listen under its own prefix (nats-permissions.ts `runnerInboxPrefix`), so no runner reads
   * another connection's replies.
   */
  inboxPrefix?: string;
  /** The password, when NATS_URL names only the user (read from a file: NATS_PASSWORD_FILE). */
  password?: string;
}

export interface TopologyOptions {
  /** 1 in dev, 3 on a cluster. */
  replicas?: number;
  terminalMaxAgeMs?: number;
  terminalMaxBytes?: number;
  /** How long JetStream remembers a Nats-Msg-Id for de-duplication. */
  duplicateWindowMs?: number;
  runnerHeartbeatTtlMs?: number;
  commandResultTtlMs?: number;
}

const ms = (n: number) => n * 1_000_000; // JetStream durations are nanoseconds

/**
 * Pull options for every long-lived `consume()`: short pull requests with 1 s idle heartbeats.
 * A pull request lives on the consumer's leader; when that node dies (kill -9 of a cluster
 * node) the client is not told, and with nats.js's defaults (expires 30 s, heartbeat 15 s,
 * two missed) it would sit idle up to 30 s after the new leader was elected. With these it
 * pulls again within ~2 s of a missed heartbeat, so recovery is bounded by the Raft election
 * (4–9 s on nats-server 2.9; docs/decisions/0013).
 */
export const LIVE_PULL = { expires: 5_000, idle_heartbeat: 1_000 } as const;

/** One NATS connection with its JetStream handles and the namespace's names. */
export class Broker {
  /** Handles with short request timeouts, for requests repeated with `untilAnswered`. */
  readonly quickJs: JetStreamClient;
  readonly quickJsm: JetStreamManager;

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly names: Names,
    quickJsm: JetStreamManager,
    /** Where this connection's replies go (BrokerOptions.inboxPrefix). */
    readonly inboxPrefix = '_INBOX',
  ) {
    this.quickJs = jetstream(nc, { timeout: TRY_TIMEOUT_MS });
    this.quickJsm = quickJsm;
  }

  static async connect(opts: BrokerOptions): Promise<Broker> {
    // NATS_URL may list a cluster's servers, comma-separated: nats.js takes a string as ONE url.
    const listed = typeof opts.servers === 'string' ? opts.servers.split(',').map((s) => s.trim()).filter(Boolean) : opts.servers;
    const { servers, credentials } = natsCredentials(listed);
    const nc = await connect({
      servers,
      ...credentials,
      ...(opts.password !== undefined ? { pass: opts.password } : {}),
      name: opts.name,
      ...(opts.inboxPrefix ? { inboxPrefix: opts.inboxPrefix } : {}),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      pingInterval: 10_000,
      // Every request otherwise builds two Errors up front (its caller's stack, for a failure
      // that almost never comes): 6 % of a service's CPU per command (docs/decisions/0026).
      noAsyncTraces: true,
    });
    const jsm = await jetstreamManager(nc, { timeout: 10_000 });
    const quickJsm = await jetstreamManager(nc, { timeout: TRY_TIMEOUT_MS, checkAPI: false });
    return new Broker(nc, jetstream(nc, { timeout: 10_000 }), jsm, names(opts.namespace), quickJsm, opts.inboxPrefix);
  }

  /** Creates or updates the streams and KV buckets; safe to run from every replica at every start. */
  async ensureTopology(opts: TopologyOptions = {}): Promise<void> {
    const replicas = opts.replicas ?? 1;
    const dup = ms(opts.duplicateWindowMs ?? 120_000);
    const n = this.names;
    await this.ensureStream({
      name: n.streams.events,
      subjects: [n.evtAll],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.New,
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
      num_replicas: replicas,
      duplicate_window: dup,
      deny_delete: true,
      deny_purge: true,
    });
    await this.ensureStream({
      name: n.streams.commands,
      subjects: [`${n.namespace}.cmd.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Workqueue,
      discard: DiscardPolicy.Old,
      max_age: ms(24 * 3600_000),
      num_replicas: replicas,
      duplicate_window: dup,
    });
    await this.ensureStream({
      name: n.streams.terminal,
      subjects: [n.termAll],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: ms(opts.terminalMaxAgeMs ?? 7 * 24 * 3600_000),
      // Services pass their configured size; this fallback serves tools and tests.
      max_bytes: opts.terminalMaxBytes ?? 64 * 1024 ** 2,
      num_replicas: replicas,
      duplicate_window: ms(10_000),
    });
    await this.kv(n.kv.runners, { ttl: opts.runnerHeartbeatTtlMs ?? 15_000, history: 1, replicas });
    await this.kv(n.kv.commandResults, { ttl: opts.commandResultTtlMs ?? 24 * 3600_000, history: 1, replicas });
  }

  /** Whether every stream and bucket `ensureTopology` makes is there (stream lookups only: what a runner's credentials allow). */
  async hasTopology(): Promise<boolean> {
    const n = this.names;
    const all = [n.streams.events, n.streams.commands, n.streams.terminal, `KV_${n.kv.runners}`, `KV_${n.kv.commandResults}`];
    const found = await Promise.all(all.map((name) => this.jsm.streams.info(name).then(() => true, () => false)));
    return found.every(Boolean);
  }

  private readonly kvs = new Map<string, Promise<KV>>();
  private readonly quickKvs = new Map<string, Promise<KV>>();

  /** The bucket (created as `kv` does) with short request timeouts: for gets and puts repeated with `untilAnswered`. */
  quickKv(bucket: string): Promise<KV> {
    let kv = this.quickKvs.get(bucket);
    if (!kv) {
      kv = this.kv(bucket).then(() => new Kvm(this.quickJs).open(bucket));
      kv.catch(() => this.quickKvs.delete(bucket));
      this.quickKvs.set(bucket, kv);
    }
    return kv;
  }

  /** Opens (creating if needed) a KV bucket; one handle per bucket per connection. */
  kv(bucket: string, opts: { ttl?: number; history?: number; replicas?: number } = {}): Promise<KV> {
    let kv = this.kvs.get(bucket);
    if (!kv) {
      kv = new Kvm(this.js).create(bucket, { ...opts, replicas: opts.replicas ?? 1 });
      kv.catch(() => this.kvs.delete(bucket));
      this.kvs.set(bucket, kv);
    }
    return kv;
  }

  private async ensureStream(config: Partial<StreamConfig> & { name: string }): Promise<void> {
    try {
      const info = await this.jsm.streams.info(config.name);
      // Retention and storage cannot change after creation; everything else is brought up to date.
      const { retention: _r, storage: _s, ...mutable } = config;
      const current = info.config;
      const changed = Object.entries(mutable).some(([k, v]) => JSON.stringify(current[k as keyof StreamConfig]) !== JSON.stringify(v));
      if (changed) await this.jsm.streams.update(config.name, { ...current, ...mutable });
    } catch (e) {
      if (!(e instanceof JetStreamApiError) || e.code !== 10059) throw e; // 10059: stream not found
      try {
        await this.jsm.streams.add(config);
      } catch (addError) {
        // 10058: another replica created it first, with the same config.
        if (!(addError instanceof JetStreamApiError) || addError.code !== 10058) throw addError;
      }
    }
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}

/**
 * `nats://user:password@host:port` in NATS_URL: nats.js does not read credentials from a URL (it
 * answers "Authorization Violation"), so they are taken out here and passed as options. Every
 * server of a cluster list shares them.
 */
export function natsCredentials(servers: string | string[]): { servers: string[]; credentials: { user?: string; pass?: string } } {
  const list = Array.isArray(servers) ? servers : [servers];
  let credentials: { user?: string; pass?: string } = {};
  const bare = list.map((server) => {
    const m = /^([a-z]+:\/\/)([^@/]*)@(.*)$/i.exec(server);
    if (!m) return server;
    const [user, pass] = m[2].split(':');
    credentials = { user: decodeURIComponent(user), ...(pass !== undefined ? { pass: decodeURIComponent(pass) } : {}) };
    return `${m[1]}${m[3]}`;
  });
  return { servers: bare, credentials };
}
