import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@baton/testing';
import { processesWithEnv } from './processes';
import { detectSandbox, sandboxedArgv } from './sandbox';

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
});
