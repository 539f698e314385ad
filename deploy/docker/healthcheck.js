// Container health probe for Docker/Compose (Kubernetes probes use httpGet instead).
// The slim Node image has neither curl nor wget, so the probe is Node itself:
//   node deploy/docker/healthcheck.js [/health/ready]   → exit 0 on a 2xx from 127.0.0.1:$PORT
'use strict';
const path = process.argv[2] || '/health/ready';
const port = process.env.PORT;
if (!port) {
  process.stderr.write('healthcheck: PORT is not set\n');
  process.exit(1);
}
fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  (err) => {
    process.stderr.write(`healthcheck: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
