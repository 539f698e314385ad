'use strict';
// Runs npm start's embedded Postgres (scripts/lib/postgres.js) in a process of its own, for
// tests that cannot load ES modules (jest's VM): prints `PG_URL <url>` once ready; SIGINT or
// SIGTERM stops Postgres (fast shutdown), then exits. Usage: node pg-launcher.js <home> <port>
const path = require('node:path');
const root = path.resolve(__dirname, '../../..');
const { startEmbeddedPostgres } = require(path.join(root, 'scripts/lib/postgres.js'));
const { Children } = require(path.join(root, 'scripts/lib/children.js'));

const [home, port] = process.argv.slice(2);
const children = new Children(home);
let entry = null;
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  if (entry) await children.stop([entry], 10_000);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
startEmbeddedPostgres({ home, port: Number(port), children, say: (l) => process.stderr.write(`${l}\n`) }).then(
  (pg) => {
    entry = pg.entry;
    process.stdout.write(`PG_URL ${pg.url}\n`);
  },
  (e) => {
    process.stderr.write(`could not start Postgres: ${e.message}\n`);
    process.exit(1);
  },
);
