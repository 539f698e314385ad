#!/usr/bin/env node
// The first step of `npm start` and `npm test`: on a fresh clone (or after a pull that changed
// the lockfile) the locked dependencies are installed first, so the README's two commands are
// all a newcomer types. Node's built-ins only: nothing is installed yet when it runs.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, statSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lock = path.join(root, 'package-lock.json');
// npm writes its own record of what it installed last; older than the lockfile means stale.
const installed = path.join(root, 'node_modules', '.package-lock.json');

function upToDate() {
  return existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs;
}

if (!upToDate()) {
  process.stdout.write(`baton: installing the locked dependencies (npm ci) — ${existsSync(installed) ? 'package-lock.json changed' : 'first run in this checkout'}\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`baton: npm ci failed (${r.error ? r.error.message : `exit ${r.status ?? r.signal}`}); see above\n`);
    process.exit(r.status || 1);
  }
}
