'use strict';
// Child processes of `npm start`: each in its own process group (a Ctrl-C in the terminal
// reaches start.js alone, which then stops them in order), output to a log file, a pid
// file so that a later start can stop what a killed one left running.
const { spawn } = require('node:child_process');
const { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, statSync } = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Children {
  constructor(home) {
    this.logDir = path.join(home, 'logs');
    this.runDir = path.join(home, 'run');
    mkdirSync(this.logDir, { recursive: true });
    mkdirSync(this.runDir, { recursive: true });
    /** @type {{ name: string, child: import('node:child_process').ChildProcess, exited: Promise<void>, stopSignal: string }[]} */
    this.list = [];
    // Whatever happens to start.js, its children do not outlive it.
    process.once('exit', () => {
      for (const c of this.list) if (running(c.child)) c.child.kill('SIGKILL');
    });
  }

  logFile(name) {
    return path.join(this.logDir, `${name}.log`);
  }

  /** Starts `command`; `onExit(code, signal)` is told when it ends. */
  start(name, command, args, { env, uid, gid, cwd, stopSignal = 'SIGTERM', onExit, marker } = {}) {
    const logPath = this.logFile(name);
    const fd = openSync(logPath, 'a');
    const child = spawn(command, args, { cwd, env, uid, gid, detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        rmSync(this.pidFile(name), { force: true });
        onExit?.(code, signal);
        resolve();
      });
      child.once('error', (e) => {
        writeFileSync(logPath, `could not start ${command}: ${e.message}\n`, { flag: 'a' });
        if (child.exitCode === null && child.pid === undefined) {
          onExit?.(null, null);
          resolve();
        }
      });
    });
    // `marker`: an argument only this child has (its data directory, its main file), so a
    // reused pid is never mistaken for it.
    if (child.pid) writeFileSync(this.pidFile(name), JSON.stringify({ pid: child.pid, command, marker: marker ?? args[args.length - 1] ?? '' }) + '\n');
    const entry = { name, child, exited, stopSignal };
    this.list.push(entry);
    return entry;
  }

  pidFile(name) {
    return path.join(this.runDir, `${name}.pid`);
  }

  /**
   * A process a killed start left behind (its pid file is still there and the pid still
   * runs the same program) is stopped before anything starts again on the same data.
   */
  async stopLeftover(name, say) {
    const file = this.pidFile(name);
    if (!existsSync(file)) return;
    let recorded;
    try {
      recorded = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      recorded = {};
    }
    rmSync(file, { force: true });
    const { pid, command, marker } = recorded;
    if (!Number.isInteger(pid) || pid <= 1 || !alive(pid) || !sameProgram(pid, command, marker)) return;
    say(`stopping ${name} (pid ${pid}) left running by an earlier start`);
    kill(pid, name === 'postgres' ? 'SIGINT' : 'SIGTERM');
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
    if (alive(pid)) kill(pid, 'SIGKILL');
  }

  /** Stops `entries` together: their signal, then SIGKILL after `graceMs`. */
  async stop(entries, graceMs) {
    await Promise.all(
      entries.map(async (e) => {
        if (!running(e.child)) return;
        e.child.kill(e.stopSignal);
        const timer = setTimeout(() => running(e.child) && e.child.kill('SIGKILL'), graceMs);
        await e.exited;
        clearTimeout(timer);
      }),
    );
  }

  /** The last lines of a child's log, for saying why it stopped. */
  tail(name, lines = 15) {
    try {
      const file = this.logFile(name);
      const size = statSync(file).size;
      const fd = openSync(file, 'r');
      const length = Math.min(size, 16_384);
      const buf = Buffer.alloc(length);
      require('node:fs').readSync(fd, buf, 0, length, size - length);
      closeSync(fd);
      return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}

function running(child) {
  return child.exitCode === null && child.signalCode === null && child.pid !== undefined;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function kill(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

function sameProgram(pid, command, marker) {
  if (typeof command !== 'string') return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return path.basename(cmdline[0]) === path.basename(command) && (!marker || cmdline.includes(marker));
  } catch {
    // No /proc (macOS): trust the pid file only if the pid runs at all.
    return process.platform !== 'linux';
  }
}

/** `preferred` if it is free on 127.0.0.1 (and not in `taken`), else any free port. */
async function pickPort(preferred, taken = new Set()) {
  if (preferred && !taken.has(preferred) && (await canListen(preferred))) return preferred;
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.on('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address();
        srv.close(() => resolve(p));
      });
    });
    if (!taken.has(port)) return port;
  }
}

function canListen(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

function portOpen(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const s = net.connect({ host, port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Polls `check` until true; fails early when `entry` exits. */
async function waitUntil(check, { timeoutMs, what, entry }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (entry && !running(entry.child)) throw new Error(`${entry.name} exited while ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s ${what}`);
    await sleep(100);
  }
}

module.exports = { Children, pickPort, canListen, portOpen, waitUntil, sleep, running };
