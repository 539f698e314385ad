import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { LOCAL_DATABASE_URL, LOCAL_NATS_URL } from './infra';

/** Test namespaces look like `t<base36 ms>_<hex>`: the time lets a sweep find old leftovers. */
const TEST_NS = /^t([0-9a-z]{8,9})_[0-9a-f]{6}$/;

export interface TestNamespace {
  namespace: string;
  natsUrl: string;
  /** A database of its own, dropped by `cleanup`. */
  databaseUrl: string;
  /** The bootstrap admin's token of a gateway started with `env`. */
  token: string;
  /** Environment for a service process started inside this namespace. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export function infraFromEnv(): { natsUrl: string; databaseUrl: string } {
  return {
    natsUrl: process.env.BATON_TEST_NATS_URL ?? process.env.NATS_URL ?? LOCAL_NATS_URL,
    databaseUrl: process.env.BATON_TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? LOCAL_DATABASE_URL,
  };
}

export function newNamespaceName(): string {
  return `t${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** A fresh namespace: its own stream/subject/KV prefix and its own Postgres database. */
export async function createTestNamespace(): Promise<TestNamespace> {
  const { natsUrl, databaseUrl: serverUrl } = infraFromEnv();
  const namespace = newNamespaceName();
  const db = `baton_${namespace}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${db}"`);
  } finally {
    await admin.end();
  }
  const databaseUrl = withDatabase(serverUrl, db);
  const token = `btn_test_${randomBytes(16).toString('hex')}`;
  return {
    namespace,
    natsUrl,
    databaseUrl,
    token,
    // Terminal streams reserve their max_bytes up front: keep a test's small so parallel
    // namespaces never run the broker out of storage.
    env: { BATON_NAMESPACE: namespace, NATS_URL: natsUrl, DATABASE_URL: databaseUrl, BATON_BOOTSTRAP_TOKEN: token, BATON_TERMINAL_MAX_BYTES: String(64 * 1024 ** 2) },
    cleanup: () => removeNamespace(namespace, natsUrl, serverUrl),
  };
}

/** Deletes every stream and KV bucket of the namespace and drops its database. */
export async function removeNamespace(namespace: string, natsUrl: string, serverUrl: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const prefix = namespace.toUpperCase() + '_';
    const kvPrefix = `KV_${namespace}_`;
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(prefix) || name.startsWith(kvPrefix)) await jsm.streams.delete(name).catch(() => undefined);
    }
  } finally {
    await nc.close();
  }
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "baton_${namespace}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/**
 * Removes test namespaces older than `maxAgeMs` that earlier runs left behind (a run
 * killed mid-way never reaches its cleanup). Never touches a namespace still in use.
 */
export async function sweepStaleNamespaces(maxAgeMs = 30 * 60_000): Promise<string[]> {
  const { natsUrl, databaseUrl } = infraFromEnv();
  const stale = new Set<string>();
  const isStale = (ns: string) => {
    const m = TEST_NS.exec(ns);
    return !!m && Date.now() - parseInt(m[1], 36) > maxAgeMs;
  };
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) {
      const ns = name.startsWith('KV_') ? name.slice(3).split('_').slice(0, 2).join('_') : name.toLowerCase().split('_').slice(0, 2).join('_');
      if (isStale(ns)) stale.add(ns);
    }
  } finally {
    await nc.close();
  }
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'baton\\_t%'");
    for (const r of rows) {
      const ns = r.datname.slice('baton_'.length);
      if (isStale(ns)) stale.add(ns);
    }
  } finally {
    await admin.end();
  }
  for (const ns of stale) await removeNamespace(ns, natsUrl, databaseUrl);
  return [...stale];
}
