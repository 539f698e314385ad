import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@baton/testing';
import { processesWithEnv } from './processes';
import { detectSandbox, sandboxedArgv } from './sandbox';
import { silentLogger } from '@baton/event-store';
import { agentUserFor, dirsBetween, handOver } from './agent-user';
import { runCleanup, runSetup, type Confine } from './template-scripts';
import type { PreparedWorkspace, Workspaces } from './workspaces';

/*
 * The sandbox a real agent runs in, with the real bubblewrap (Debian's `bubblewrap`; .ci/run
 * installs it): what an agent tries from inside, and what must fail.
 */
describe('sandbox (bubblewrap) around a real agent', () => {
  const marker = `baton-sandbox-${process.pid}-${Date.now()}`;
  let root: string;
  let hidden: string;
  let work: string;
  let bwrap: string;

  beforeAll(async () => {
    const found = await detectSandbox('auto');
    if (!found.bwrap) throw new Error(`${found.why} (apt-get install -y bubblewrap)`);
    bwrap = found.bwrap;
    root = mkdtempSync(join(tmpdir(), 'baton-sandbox-'));
    hidden = join(root, 'runner-data');
    work = join(hidden, 'worktrees', 'a1');
    mkdirSync(work, { recursive: true });
    writeFileSync(join(hidden, 'runner-secret'), 'the runner secret\n');
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    // Whatever the test left (it should be nothing): gone.
    for (const pid of markedPids()) spawnSync('kill', ['-9', String(pid)]);
  });

  /** Processes on the host whose environment carries this test's marker. */
  const markedPids = () => processesWithEnv('SANDBOX_MARKER', marker);

  const inSandbox = (script: string) => {
    const [file, ...args] = sandboxedArgv(bwrap, ['sh', '-c', script], { hidden: [hidden], writable: [work], cwd: work });
    return spawnSync(file, args, { encoding: 'utf8', env: { PATH: process.env.PATH, SANDBOX_MARKER: marker }, timeout: 20_000 });
  };

  it("cannot read the runner's state, only its own work, which it can write", () => {
    const r = inSandbox(`ls -A ${hidden}; cat ${hidden}/runner-secret; echo written > ${work}/out.txt && pwd`);
    expect(r.stdout.split('\n')).toEqual(['worktrees', work, '']);
    expect(r.stderr).toContain('runner-secret');
    expect(readFileSync(join(work, 'out.txt'), 'utf8')).toBe('written\n');
  });

  it("does not see the runner's processes, so not their environment either", () => {
    // This jest worker plays the runner: its environment holds a secret the agent must not find.
    process.env.BATON_TEST_RUNNER_SECRET = marker;
    const r = inSandbox(`cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c BATON_TEST_RUNNER_SECRET; ls /proc | grep -cE '^[0-9]+$'`);
    const [found, processes] = r.stdout.trim().split('\n').map(Number);
    expect(found).toBe(0);
    expect(processes).toBeLessThan(10);
    expect(Number(execFileSync('sh', ['-c', 'ls /proc | grep -cE "^[0-9]+$"'], { encoding: 'utf8' }))).toBeGreaterThan(processes);
  });

  it('cannot undo the hiding: it is not root, and holds no capability', () => {
    const r = inSandbox(`id -u; grep CapEff /proc/self/status; umount ${hidden} 2>&1; umount -l ${hidden} 2>&1; umount -l /tmp 2>&1; cat ${hidden}/runner-secret 2>&1; echo done`);
    expect(r.stdout).toMatch(/^(?!0\n)\d+\nCapEff:\s+0+\n/);
    expect(r.stdout).toMatch(/done/);
    expect(r.stdout).not.toContain('the runner secret');
  });

  it('lets the agent build a sandbox of its own inside (Codex runs its commands in bubblewrap)', () => {
    const r = inSandbox(`${bwrap} --ro-bind / / --dev /dev --unshare-pid --proc /proc --bind ${work} ${work} -- sh -c 'echo nested > ${work}/nested.txt && cat ${work}/nested.txt'`);
    expect({ out: r.stdout.trim(), err: r.stderr }).toEqual({ out: 'nested', err: '' });
  });

  it('ends every process it started when its first one ends: a setsid daemon included', async () => {
    const r = inSandbox(`(setsid sleep 300 </dev/null >/dev/null 2>&1 &); sleep 0.3; echo started`);
    expect(r.stdout.trim()).toBe('started');
    await eventually(() => markedPids().length === 0, 5_000, 'no process of the sandbox left');
  });

  it("runs an agent's setup and cleanup scripts where the agent runs: in its sandbox (as its user on a root runner)", async () => {
    // The worktree is the agent's work: a setup script (`npm ci`) runs what it wrote there.
    const user = process.getuid?.() === 0 ? agentUserFor(0)! : undefined;
    if (user) {
      execFileSync('chmod', ['711', root]);
      await handOver(user, [work], dirsBetween(hidden, work));
    }
    const confine: Confine = (argv, cwd) => ({ argv: sandboxedArgv(bwrap, argv, { hidden: [hidden], writable: [work], cwd }, user), user });
    const script = (name: string) => `id -u > ${name}-uid.txt; cat ${hidden}/runner-secret > ${name}-secret.txt 2>&1; true`;
    const workspaces = { needsSetup: async () => true, setupDone: async () => undefined } as unknown as Workspaces;
    const ws = { kind: 'attempt', key: 'attempt-a1', root: work, created: true } as PreparedWorkspace;
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', SANDBOX_MARKER: marker };
    await runSetup({ workspaces, ws, script: script('setup'), env, timeoutMs: 20_000, logger: silentLogger, sessionId: 's1', confine });
    await runCleanup({ cwd: work, script: script('cleanup'), env, timeoutMs: 20_000, logger: silentLogger, sessionId: 's1', confine });
    for (const name of ['setup', 'cleanup']) {
      expect(readFileSync(join(work, `${name}-uid.txt`), 'utf8').trim()).toBe(String(user?.uid ?? process.getuid?.()));
      expect(readFileSync(join(work, `${name}-secret.txt`), 'utf8')).not.toContain('the runner secret');
    }
  });

  // Issue #12 item 2: inside its user namespace a root runner's agent was uid 1000, and root
  // outside, so the read-only root it sees gave it every root-owned file.
  const asRoot = process.getuid?.() === 0;
  (asRoot ? describe : describe.skip)("on a root runner, as the agents' own unprivileged user", () => {
    const user = agentUserFor(0)!;
    let rootOnly: string;
    beforeAll(() => {
      // The runner's data dir (here `hidden`) must lie where others may pass (mkdtemp made `root` 0700).
      execFileSync('chmod', ['711', root]);
      rootOnly = join(mkdtempSync(join('/var/tmp', 'baton-root-only-')), 'key');
      writeFileSync(rootOnly, 'root only\n', { mode: 0o600 });
    });
    afterAll(() => rmSync(join(rootOnly, '..'), { recursive: true, force: true }));

    const asAgent = async (script: string) => {
      await handOver(user, [work], dirsBetween(hidden, work));
      const [file, ...args] = sandboxedArgv(bwrap, ['sh', '-c', script], { hidden: [hidden], writable: [work], cwd: work }, user);
      return spawnSync(file, args, { encoding: 'utf8', env: { PATH: process.env.PATH, SANDBOX_MARKER: marker }, timeout: 20_000, uid: user.uid, gid: user.gid });
    };

    it('runs as that user on the host too, and cannot read root-owned files: /etc/shadow, /root, a 0600 key', async () => {
      const r = await asAgent(`id -u; cat /etc/shadow >/dev/null 2>&1 && echo shadow; ls /root >/dev/null 2>&1 && echo root-home; cat ${rootOnly} 2>/dev/null; true`);
      const [uid, ...rest] = r.stdout.trim().split('\n');
      expect({ uid, rest, err: r.stderr, status: r.status }).toEqual({ uid: String(user.uid), rest: [], err: '', status: 0 });
    });

    it('owns what it works in, and still cannot see the runner\'s state', async () => {
      const r = await asAgent(`echo mine > ${work}/agent.txt && cat ${work}/agent.txt; ls -A ${hidden}; cat ${hidden}/runner-secret 2>&1 | head -c 40`);
      expect(r.stdout).toMatch(/^mine\nworktrees\n/);
      expect(r.stdout).not.toContain('the runner secret');
      const owner = execFileSync('stat', ['-c', '%u', join(work, 'agent.txt')], { encoding: 'utf8' }).trim();
      expect(owner).toBe(String(user.uid));
    });

    it('detectSandbox runs bwrap as that user, or says why agents stay root outside', async () => {
      expect(await detectSandbox('auto', { user, dataDir: hidden })).toMatchObject({ user });
      const closed = mkdtempSync(join('/var/tmp', 'baton-closed-'));
      try {
        mkdirSync(join(closed, 'data'));
        execFileSync('chmod', ['700', closed]);
        const found = await detectSandbox('auto', { user, dataDir: join(closed, 'data') });
        expect(found).toMatchObject({ user: null, why: expect.stringContaining(`${closed} is not traversable`) });
        expect(found.bwrap).toBeTruthy();
        // The `baton` CLI sessions call (a checkout in a 0700 directory): out of the agent user's reach too.
        const cli = join(closed, 'checkout', 'apps', 'cli', 'dist', 'main.js');
        const unreachable = await detectSandbox('auto', { user, dataDir: hidden, reach: [cli] });
        expect(unreachable).toMatchObject({ user: null, why: expect.stringContaining(`${closed} is not traversable by others, so the agent user could not run ${cli}`) });
      } finally {
        rmSync(closed, { recursive: true, force: true });
      }
    });
  });
});
