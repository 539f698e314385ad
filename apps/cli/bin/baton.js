#!/usr/bin/env node
// The `baton` command: npm links this file (it exists before any build, unlike dist/), so
// `npx baton` works in a checkout and a global install puts `baton` on the PATH.
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

const main = path.join(__dirname, '..', 'dist', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('baton: the CLI is not built yet: run `npm run build` in the Baton checkout (npm start and npm test build it too)\n');
  process.exit(2);
}
require(main)
  .run(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
