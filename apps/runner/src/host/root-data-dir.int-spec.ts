import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createTestNamespace, eventually, startService, type ManagedProcess, type TestNamespace } from '@baton/testing';
import { DEFAULT_AGENT_UID } from './agent-user';

/*
 * A root runner with no BATON_DATA_DIR keeps its data in /var/lib/baton/runner/<id>. Its agents
 * run as their own user, who must pass through to their worktrees there: a parent left 0700 (a
 * recursive mkdir's mode, as this runner once made it) sent them back to running as root outside
 * the sandbox — quietly but for a warning.
 */
const asRoot = process.getuid?.() === 0;
/** config.ts DEFAULT_ROOT_DATA_PARENT (not imported: config pulls the Nest service kit into jest). */
const DEFAULT_ROOT_DATA_PARENT = '/var/lib/baton/runner';
(asRoot ? describe : describe.skip)("a root runner's default data dir", () => {
  let ns: TestNamespace;
  let runner: ManagedProcess | undefined;
  const runnerId = `root-dd-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    ns = await createTestNamespace();
  });
  afterAll(async () => {
    await runner?.stop();
    rmSync(join(DEFAULT_ROOT_DATA_PARENT, runnerId), { recursive: true, force: true });
    await ns?.cleanup();
  });

  it("lets the agents' own user through: they run sandboxed as that user, not as root", async () => {
    // As an earlier runner left it.
    mkdirSync(DEFAULT_ROOT_DATA_PARENT, { recursive: true });
    chmodSync(DEFAULT_ROOT_DATA_PARENT, 0o700);
    runner = await startService('runner', { ...ns.env, BATON_RUNNER_ID: runnerId, LOG_LEVEL: 'info' });
    const line = await eventually(() => runner!.output().split('\n').find((l) => l.includes('"msg":"sessions run sandboxed"')), 30_000, 'the sandbox line');
    expect(JSON.parse(line)).toMatchObject({ agentUid: DEFAULT_AGENT_UID, hidden: [join(DEFAULT_ROOT_DATA_PARENT, runnerId)] });
    expect(runner.output()).not.toContain('as root outside it');
    expect(statSync(DEFAULT_ROOT_DATA_PARENT).mode & 0o777).toBe(0o711);
  }, 90_000);
});
