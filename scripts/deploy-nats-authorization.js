#!/usr/bin/env node
'use strict';
// Writes deploy/nats/compose-authorization.conf and deploy/k8s/base/nats/authorization.conf: the
// NATS users of docker-compose.yml and of the Kubernetes base with the
// per-role permissions of libs/event-store/src/nats-permissions.ts (one place for that fact;
// e2e/deploy checks the committed file is what this writes). Passwords are `$VARIABLES` that
// nats-server reads from its environment (docker-compose.yml sets them from .env).
//   npm run build && node scripts/deploy-nats-authorization.js
const { writeFileSync } = require('node:fs');
const path = require('node:path');
const { composeNatsAuthorization, k8sNatsAuthorization } = require(path.join(__dirname, '..', 'libs', 'event-store', 'dist', 'nats-permissions.js'));

const deploy = path.join(__dirname, '..', 'deploy');
for (const [file, text] of [
  [path.join(deploy, 'nats', 'compose-authorization.conf'), composeNatsAuthorization()],
  [path.join(deploy, 'k8s', 'base', 'nats', 'authorization.conf'), k8sNatsAuthorization()],
]) {
  writeFileSync(file, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
