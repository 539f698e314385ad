'use strict';
// The context every suite receives: where NATS and Postgres are, how to report a figure,
// and namespaces (streams, KV buckets, a database) that are removed when the run ends.

const { randomBytes } = require('node:crypto');
const { Client } = require('pg');
const { connect } = require('@nats-io/transport-node');
const { jetstreamManager } = require('@nats-io/jetstream');

const LOCAL_NATS_URL = 'nats://127.0.0.1:4222';
const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

// `bench_<base36 ms>_<hex>`: the time lets a later run sweep what a killed run left behind.
const RUN_ID = /^bench_([0-9a-z]{8,9})_[0-9a-f]{4}$/;
const NAMESPACE = /^[a-z][a-z0-9_]{0,31}$/;
const STALE_MS = 6 * 3600_000;

function newRunId() {
  return `bench_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
}

function withDatabase(url, db) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

const log = (...args) => console.error('[bench]', ...args);

/** One `BENCH {json}` line on stdout; everything else goes to stderr. */
function formatFigure(f) {
  if (!f || typeof f.name !== 'string' || typeof f.value !== 'number') throw new Error(`bad figure ${JSON.stringify(f)}`);
  const out = { name: f.name, value: f.value, unit: f.unit };
  if (f.raw !== undefined) out.raw = f.raw;
  if (f.ratio !== undefined) out.ratio = f.ratio;
  if (f.target !== undefined) {
    out.target = f.target;
    out.ok = Boolean(f.ok);
  }
  return `BENCH ${JSON.stringify(out)}`;
}

async function withAdmin(databaseUrl, fn) {
  const admin = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/** Deletes the streams (KV buckets included) of every namespace starting with `prefix` and drops their databases. */
async function removeByPrefix(natsUrl, databaseUrl, prefix, isMine = () => true) {
  const errors = [];
  try {
    const nc = await connect({ servers: natsUrl, timeout: 5_000 });
    try {
      const jsm = await jetstreamManager(nc);
      const up = prefix.toUpperCase();
      const kv = `KV_${prefix}`;
      const doomed = [];
      for await (const name of jsm.streams.names()) {
        const ns = name.startsWith(kv) ? name.slice(3) : name.startsWith(up) ? name.toLowerCase() : null;
        if (ns && isMine(ns)) doomed.push(name);
      }
      for (const name of doomed) await jsm.streams.delete(name).catch((e) => errors.push(e));
    } finally {
      await nc.close();
    }
  } catch (e) {
    errors.push(e);
  }
  try {
    await withAdmin(databaseUrl, async (admin) => {
      const { rows } = await admin.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
      for (const r of rows) {
        if (isMine(r.datname)) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`).catch((e) => errors.push(e));
      }
    });
  } catch (e) {
    errors.push(e);
  }
  return errors;
}

/** Removes what runs killed before their cleanup left behind (only runs older than STALE_MS). */
async function sweepStale(natsUrl, databaseUrl) {
  const stale = (name) => {
    const m = RUN_ID.exec(name.split('_').slice(0, 3).join('_'));
    return !!m && Date.now() - parseInt(m[1], 36) > STALE_MS;
  };
  await removeByPrefix(natsUrl, databaseUrl, 'bench_', stale);
}

function createContext({ suite, runId, natsUrl, databaseUrl, scale, only, results }) {
  const cleanups = [];
  const filter = only ? new RegExp(only) : null;
  const ctx = {
    suite,
    runId,
    natsUrl,
    /** Server-level URL (admin); suites get a database of their own from `namespace()`. */
    databaseUrl,
    /** Multiplies workload sizes; 1 is the real benchmark, smaller is for trying things out. */
    scale,
    log: (...args) => log(`${suite}:`, ...args),
    /** False when `--only=<regex>` excludes this group of figures (e.g. 'append', 'projection.rebuild'). */
    wants: (group) => !filter || filter.test(group),
    /** Size of a workload after scaling, never below `min`. */
    size: (n, min = 1) => Math.max(min, Math.round(n * scale)),
    report(figure) {
      const line = formatFigure(figure);
      results.push(JSON.parse(line.slice('BENCH '.length)));
      process.stdout.write(line + '\n');
    },
    /** Runs `fn` at the end of the suite (last registered, first run), also after a failure. */
    defer(fn) {
      cleanups.push(fn);
    },
    /**
     * A fresh namespace `<runId>_<tag>`; with `database: true` also a database of the same
     * name. Its streams, KV buckets and database are removed when the suite ends.
     */
    async namespace(tag, { database = false } = {}) {
      const namespace = `${runId}_${tag}`;
      if (!NAMESPACE.test(namespace)) throw new Error(`namespace "${namespace}" must match ${NAMESPACE}`);
      cleanups.push(async () => {
        const errors = await removeByPrefix(natsUrl, databaseUrl, namespace, (ns) => ns === namespace || ns.startsWith(`${namespace}_`));
        for (const e of errors) log(`cleanup of ${namespace}:`, e.message ?? e);
      });
      let nsDatabaseUrl;
      if (database) {
        await withAdmin(databaseUrl, (admin) => admin.query(`CREATE DATABASE "${namespace}"`));
        nsDatabaseUrl = withDatabase(databaseUrl, namespace);
      }
      return { namespace, databaseUrl: nsDatabaseUrl };
    },
  };
  // Once only: a signal and the suite's own `finally` may both ask for it.
  let cleaning;
  const cleanup = () =>
    (cleaning ??= (async () => {
      while (cleanups.length) {
        const fn = cleanups.pop();
        try {
          await fn();
        } catch (e) {
          log(`${suite}: cleanup step failed:`, e.message ?? e);
        }
      }
    })());
  return { ctx, cleanup };
}

function infraFromEnv() {
  return {
    natsUrl: process.env.NATS_URL || LOCAL_NATS_URL,
    databaseUrl: process.env.DATABASE_URL || LOCAL_DATABASE_URL,
  };
}

module.exports = { createContext, infraFromEnv, newRunId, sweepStale, formatFigure, log };
