'use strict';
// nats-server with JetStream for `npm start`, from the system (installed with apt-get when
// it is missing and we may: root, Debian/Ubuntu, non-interactive).
const { spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
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

async function startNats({ home, port, children, say }) {
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
  // No anonymous client: Baton's services connect with a password made once and kept in
  // BATON_HOME (0600), given to nats-server in a config file (never on its command line, which
  // every local process can read) and to the services in NATS_URL.
  const password = natsPassword(home);
  const configFile = path.join(home, 'nats.conf');
  writeFileSync(configFile, `authorization {\n  user: ${NATS_USER}\n  password: "${password}"\n}\n`, { mode: 0o600 });
  chmodSync(configFile, 0o600);
  const logFile = children.logFile('nats');
  const before = existsSync(logFile) ? readFileSync(logFile).length : 0;
  const entry = children.start('nats', bin, ['-c', configFile, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, '-n', 'baton-local'], { marker: storeDir });
  await waitUntil(async () => readFileSync(logFile).subarray(before).includes('Server is ready'), { timeoutMs: 20_000, what: 'waiting for nats-server', entry });
  return { entry, url: `nats://${NATS_USER}:${password}@127.0.0.1:${port}`, shownUrl: `nats://127.0.0.1:${port} (user ${NATS_USER}, password in ${configFile})` };
}

const NATS_USER = 'baton';

/** The services' NATS password: made once per BATON_HOME, kept beside the data (0600). */
function natsPassword(home) {
  const file = path.join(home, 'nats-password');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{24,}$/.test(kept)) return kept;
  }
  const made = randomBytes(24).toString('base64url');
  writeFileSync(file, `${made}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return made;
}

module.exports = { startNats, findNatsServer, INSTALL_HELP };
