import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTemps, tempDir } from './__tests__/git-fixtures';
import { runScript } from './scripts';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

describe(runScript.name, () => {
  afterAll(removeTemps);

  it('runs an argv in the worktree with its environment and reports exit and output', async () => {
    const cwd = tempDir();
    const result = await runScript({ argv: ['bash', '-c', 'pwd; echo "port=$BATON_PORT"; echo oops >&2; exit 4'], cwd, env: { ...env, BATON_PORT: '21001' } });
    expect(result).toMatchObject({ exitCode: 4, signal: null, timedOut: false });
    expect(result.output).toContain(cwd);
    expect(result.output).toContain('port=21001');
    expect(result.output).toContain('oops');
  });

  it('passes arguments as data, never through a shell', async () => {
    const marker = join(tmpdir(), `pwned-script-${process.pid}`);
    const result = await runScript({ argv: ['echo', `$(touch ${marker})`], cwd: tmpdir(), env });
    expect(result.output.trim()).toBe(`$(touch ${marker})`);
    expect(existsSync(marker)).toBe(false);
  });

  it('ends a script that overruns its timeout together with what it started', async () => {
    const cwd = tempDir();
    const result = await runScript({ argv: ['bash', '-c', 'sleep 30 & echo child:$!; wait'], cwd, env, timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(result.durationMs).toBeLessThan(5_000);
    const child = Number(/child:(\d+)/.exec(result.output)![1]);
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(child)).toBe(false);
  });

  it('does not wait for background processes a finished script left holding its output', async () => {
    const t0 = Date.now();
    const result = await runScript({ argv: ['bash', '-c', 'sleep 30 & echo started'], cwd: tmpdir(), env });
    expect(result.exitCode).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('keeps the tail of a long output', async () => {
    const result = await runScript({ argv: ['bash', '-c', 'seq 1 100000'], cwd: tmpdir(), env, maxOutputBytes: 1_000 });
    expect(result.output.length).toBeLessThanOrEqual(1_000);
    expect(result.output.trim().endsWith('100000')).toBe(true);
  });

  it('rejects a program that does not exist', async () => {
    await expect(runScript({ argv: ['no-such-program-xyz'], cwd: tmpdir(), env })).rejects.toThrow(/could not run/);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
