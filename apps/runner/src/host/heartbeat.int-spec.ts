import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker } from '@baton/event-store';
import { createTestNamespace, eventually, REPO_ROOT, type TestNamespace } from '@baton/testing';

/*
 * The heartbeat cannot be starved by the runner's own work (docs/decisions/0026): with its main
 * thread blocked (a burst of starts, a long synchronous step), the built Heartbeat still beats
 * from its own thread. A process blocks its main thread until this test has seen a beat put a
 * second after the block began (or for 60 s); that beat must have been put before the block
 * ended. No timing is asserted: a slow machine only makes the wait longer.
 */
const SCRIPT = `
const { existsSync } = require('node:fs');
const { Broker } = require('@baton/event-store');
const { Heartbeat } = require(process.env.HEARTBEAT_JS);
(async () => {
  const connect = { servers: process.env.NATS_URL, namespace: process.env.BATON_NAMESPACE };
  const broker = await Broker.connect({ ...connect, name: 'heartbeat-spec' });
  const logger = { info() {}, warn() {}, error() {}, debug() {}, child() { return logger; } };
  const hb = new Heartbeat(broker, 'r1', () => ({ runnerId: 'r1', at: new Date().toISOString(), sessions: [] }), logger, 200, { connect, nice: 0 });
  await hb.start();
  await new Promise((r) => setTimeout(r, 500));
  console.log(JSON.stringify({ blockedAt: Date.now() }));
  const deadline = Date.now() + 60000;
  while (!existsSync(process.env.SEEN_FILE) && Date.now() < deadline) {} // the main thread does nothing else
  console.log(JSON.stringify({ unblockedAt: Date.now() }));
  await hb.stop(true);
  await broker.close();
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe('runner heartbeat thread', () => {
  let ns: TestNamespace;
  let broker: Broker;
  let dir: string;

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
    dir = mkdtempSync(join(tmpdir(), 'baton-heartbeat-'));
  });
  afterAll(async () => {
    await broker?.close();
    await ns?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps beating while the main thread is blocked', async () => {
    const seenFile = join(dir, 'seen');
    const child = spawn(process.execPath, ['-e', SCRIPT], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...ns.env, HEARTBEAT_JS: join(REPO_ROOT, 'apps/runner/dist/host/heartbeat.js'), SEEN_FILE: seenFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const field = (name: string) => Number(new RegExp(`"${name}":(\\d+)`).exec(out)?.[1] ?? NaN);
    try {
      const blockedAt = await eventually(() => field('blockedAt') || null, 60_000, 'the main thread to block');
      const kv = await broker.kv(broker.names.kv.runners);
      const beatAt = await eventually(async () => {
        const e = await kv.get('r1');
        const at = e?.operation === 'PUT' ? Date.parse(e.json<{ at: string }>().at) : 0;
        return at > blockedAt + 1_000 ? at : null;
      }, 120_000, 'a beat a second into the block');
      writeFileSync(seenFile, 'seen');
      expect(await exited).toBe(0);
      // Put while the main thread was still blocked: by the heartbeat's own thread.
      expect(beatAt).toBeLessThan(field('unblockedAt'));
    } finally {
      child.kill('SIGKILL');
    }
  }, 180_000);
});
