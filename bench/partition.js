'use strict';
// `npm run bench -- partition` (issue #13 item 7): the fleet under real network partitions. The
// scenarios are the e2e specs that cut a runner (e2e/sessions/runner-partition) and a NATS node
// (e2e/reliability/nats-partition) off with `ip netns` for 60 s; each prints its figures as
// `BENCH` lines, which this suite runs and reports as its own. Needs root (network namespaces).

const { spawn } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const SPECS = [
  ['runner', 'e2e/sessions/runner-partition.e2e-spec.ts'],
  ['nats_node', 'e2e/reliability/nats-partition.e2e-spec.ts'],
];

async function run(ctx) {
  if (process.getuid?.() !== 0) {
    ctx.log('skipped: network namespaces need root');
    return;
  }
  for (const [group, spec] of SPECS) {
    if (!ctx.wants(group)) continue;
    ctx.log(`running ${spec}`);
    const { code, figures } = await jestFigures(spec, (line) => ctx.log(line));
    for (const f of figures) ctx.report(f);
    ctx.report({ name: `fleet.partition.${group}.passed`, value: code === 0 ? 1 : 0, unit: 'bool', target: 'value==1', ok: code === 0 });
  }
}

function jestFigures(spec, log) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', spec], { cwd: ROOT, env: { ...process.env, E2E_VERBOSE: '1' } });
    const figures = [];
    let rest = '';
    const take = (chunk) => {
      rest += String(chunk);
      const lines = rest.split('\n');
      rest = lines.pop();
      for (const line of lines) {
        const at = line.indexOf('BENCH {');
        if (at >= 0) figures.push(JSON.parse(line.slice(at + 'BENCH '.length)));
        else if (/^\[(partition|storm)|✓|✕|Tests:/.test(line.trim())) log(line.trim());
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => resolve({ code, figures }));
  });
}

module.exports = { run };
