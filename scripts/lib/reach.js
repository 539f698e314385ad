'use strict';
// As root, `npm start` runs Postgres as its own system user and agents as theirs
// (docs/decisions/0020): both must pass through every directory down to their files. A
// checkout in a directory others cannot enter (`/root/baton`, a `mktemp -d`) blocks them, so
// what they need lives under a system directory instead (BATON_HOME keeps the rest).
const { createHash } = require('node:crypto');
const { chmodSync, cpSync, existsSync, mkdirSync, realpathSync, renameSync, rmSync, statSync } = require('node:fs');
const path = require('node:path');

const SYSTEM_ROOT = '/var/lib/baton';

/** Whether `who` ({uid, gid}; null: any other user) may pass through the directory `st` describes. */
function canPass(st, who = null) {
  const bit = who && st.uid === who.uid ? 0o100 : who && st.gid === who.gid ? 0o010 : 0o001;
  return (st.mode & bit) !== 0;
}

/** Whether `who` may pass through every directory from / down to `dir`. */
function traversable(dir, who = null) {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (!canPass(statSync(d), who)) return false;
    if (path.dirname(d) === d) return true;
  }
}

/**
 * Where state that other users must reach is kept for this BATON_HOME: the home itself when
 * others may pass through to it, else `/var/lib/baton/home-<hash of its real path>` (made
 * 0711: others pass through, nothing is listable).
 */
function sharedStateDir(home) {
  if (traversable(path.dirname(home))) return home;
  const dir = path.join(SYSTEM_ROOT, `home-${createHash('sha256').update(realpathSync(home)).digest('hex').slice(0, 12)}`);
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  chmodSync(SYSTEM_ROOT, 0o711);
  chmodSync(dir, 0o711);
  return dir;
}

/**
 * `dir` (a package's binaries) if `who` can reach it, else a copy of it under
 * /var/lib/baton/<name> (root-owned, readable and executable by all), made once.
 */
function reachableCopy(dir, name, who) {
  if (traversable(dir, who)) return dir;
  const copy = path.join(SYSTEM_ROOT, name);
  if (!existsSync(copy)) {
    mkdirSync(SYSTEM_ROOT, { recursive: true, mode: 0o711 });
    const partial = `${copy}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    cpSync(dir, partial, { recursive: true, verbatimSymlinks: true });
    chmodSync(partial, 0o755);
    renameSync(partial, copy);
  }
  return copy;
}

module.exports = { canPass, traversable, sharedStateDir, reachableCopy, SYSTEM_ROOT };
