'use strict';
// nats-server with JetStream for `npm start`, from the system (installed with apt-get when
// it is missing and we may: root, Debian/Ubuntu, non-interactive).
const { spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { waitUntil } = require('./children');

const INSTALL_HELP = [
  'nats-server (2.9 or newer, with JetStream) is not installed. Install it with one of:',
  '  Debian/Ubuntu:  sudo apt-get install nats-server',
  '  macOS:          brew install nats-server',
  '  Go:             go install github.com/nats-io/nats-server/v2@latest',
  '  or a release binary from github.com/nats-io/nats-server/releases, on your PATH',
  'or point Baton at a running server: NATS_URL=nats://host:4222 npm start',
].join('\n');

function findNatsServer() {
  const given = process.env.BATON_NATS_SERVER;
  if (given) {
    try {
      accessSync(given, constants.X_OK);
      return given;
    } catch {
      throw Object.assign(new Error(`BATON_NATS_SERVER=${given} is not an executable file`), { exitCode: 2 });
    }
  }
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/bin', '/usr/bin', '/opt/homebrew/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const file = path.join(dir, 'nats-server');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** apt-get as root, non-interactive; true when nats-server is there afterwards. */
function installWithApt(say) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (process.platform !== 'linux' || !isRoot || !existsSync('/usr/bin/apt-get') || process.env.BATON_NO_INSTALL) return false;
  say('nats-server is missing: installing it with apt-get (root, non-interactive)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-qq', 'nats-server'], { env, stdio: ['ignore', 'inherit', 'inherit'] }).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    if (!install()) return false;
  }
  return findNatsServer() !== null;
}

/**
 * nats-server for `npm start`, with one user per role (docs/decisions/0025): the gateway, the
 * tasks and sessions services and each runner connect with their own credentials, and a
 * runner's may do only what a runner does (libs/event-store/src/nats-permissions.ts). No
 * anonymous client. `runnerIds` are the runners given credentials: this start's own, and any
 * in BATON_NATS_RUNNERS (comma-separated) that join from elsewhere.
 */
async function startNats({ home, port, children, say, namespace, runnerIds }) {
  let bin = findNatsServer();
  if (!bin && installWithApt(say)) bin = findNatsServer();
  if (!bin) {
    const e = new Error(INSTALL_HELP);
    e.exitCode = 2;
    throw e;
  }
  const storeDir = path.join(home, 'nats');
  mkdirSync(storeDir, { recursive: true, mode: 0o700 });
  await children.stopLeftover('nats', say);
  // The passwords are made once and kept in BATON_HOME (0600); nats-server gets them in a config
  // file (never on its command line, which every local process can read), each service in its own NATS_URL.
  const users = natsUsers(home, runnerIds);
  const { natsAuthorizationConfig } = require(path.join(__dirname, '..', '..', 'libs', 'event-store', 'dist', 'nats-permissions.js'));
  const configFile = path.join(home, 'nats.conf');
  writeFileSync(configFile, natsAuthorizationConfig(namespace, users), { mode: 0o600 });
  chmodSync(configFile, 0o600);
  const logFile = children.logFile('nats');
  const before = existsSync(logFile) ? readFileSync(logFile).length : 0;
  const entry = children.start('nats', bin, ['-c', configFile, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, '-n', 'baton-local'], { marker: storeDir });
  await waitUntil(async () => readFileSync(logFile).subarray(before).includes('Server is ready'), { timeoutMs: 20_000, what: 'waiting for nats-server', entry });
  const byUser = new Map(users.map((u) => [u.user, u]));
  /** NATS_URL for a service (`gateway`, `tasks`, `sessions`) or for `runner-<id>`. */
  const urlFor = (user) => {
    const u = byUser.get(user);
    if (!u) throw new Error(`no NATS user ${user}`);
    return `nats://${u.user}:${u.password}@127.0.0.1:${port}`;
  };
  return { entry, urlFor, shownUrl: `nats://127.0.0.1:${port} (a user per service and runner, passwords in ${path.join(home, USERS_FILE)})` };
}

const USERS_FILE = 'nats-users.json';
const SERVICES = ['gateway', 'tasks', 'sessions'];

/** Every role's user with its password: kept in BATON_HOME/nats-users.json (0600), made for who is new. */
function natsUsers(home, runnerIds) {
  const file = path.join(home, USERS_FILE);
  let kept = {};
  try {
    kept = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // first start, or unreadable: made again below
  }
  const password = (user) => (typeof kept[user] === 'string' && /^[A-Za-z0-9_-]{24,}$/.test(kept[user]) ? kept[user] : randomBytes(24).toString('base64url'));
  const users = [
    ...SERVICES.map((role) => ({ user: role, password: password(role), role })),
    ...runnerIds.map((runnerId) => ({ user: `runner-${runnerId}`, password: password(`runner-${runnerId}`), role: 'runner', runnerId })),
  ];
  writeFileSync(file, `${JSON.stringify(Object.fromEntries(users.map((u) => [u.user, u.password])), null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  // The one shared password of earlier versions gives nothing any more.
  rmSync(path.join(home, 'nats-password'), { force: true });
  return users;
}

module.exports = { startNats, findNatsServer, INSTALL_HELP };
