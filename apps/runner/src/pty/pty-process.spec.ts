import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, processAlive } from '@baton/testing';
import { PtySpawnError, spawnPty, type PtyProcess, type PtySpawnOptions } from './pty-process';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), LANG: 'C.UTF-8' };

describe(spawnPty.name, () => {
  const started: PtyProcess[] = [];
  const start = (argv: string[], more: Partial<PtySpawnOptions> = {}) => {
    const sut = spawnPty({ argv, env, cwd: tmpdir(), cols: 80, rows: 24, ...more });
    started.push(sut);
    let out = '';
    sut.onData((d) => (out += d.toString('utf8')));
    return { sut, output: () => out };
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.kill('SIGKILL', 0)));
  });

  it('delivers output and passes typed input to the program', async () => {
    const { sut, output } = start(['bash', '-c', 'echo hi; read x; echo got:$x']);
    await eventually(() => output().includes('hi'), 5_000, 'greeting');
    sut.write('hello world\r');
    expect(await sut.exited).toEqual({ exitCode: 0, signal: null });
    expect(output()).toMatch(/got:hello world/);
  });

  it('hands output over as raw bytes', async () => {
    const { sut } = start(['printf', '\\xe2\\x82\\xac\\xff']);
    const chunks: Buffer[] = [];
    sut.onData((d) => chunks.push(d));
    await sut.exited;
    expect(Buffer.concat(chunks).includes(Buffer.from([0xe2, 0x82, 0xac, 0xff]))).toBe(true);
  });

  it('shows the program the size it was started with and every resize', async () => {
    const { sut, output } = start(['bash', '-c', 'stty size; read x; stty size; tput cols'], { cols: 100, rows: 30 });
    await eventually(() => output().includes('30 100'), 5_000, 'initial size');
    sut.resize(132, 43);
    sut.write('\r');
    await sut.exited;
    expect(output()).toMatch(/43 132\s+132/);
  });

  it('passes argv elements as data, never through a shell', async () => {
    const marker = join(tmpdir(), `pwned-${process.pid}-${Date.now()}`);
    const { sut, output } = start(['echo', `$(touch ${marker})`, '; touch', marker]);
    await sut.exited;
    expect(output()).toContain(`$(touch ${marker}) ; touch ${marker}`);
    expect(existsSync(marker)).toBe(false);
  });

  it("does not hand a program the terminals of other programs (node-pty leaves masters inheritable)", async () => {
    const first = start(['sleep', '30']);
    const { sut, output } = start(['bash', '-c', 'ls -l /proc/$$/fd']);
    await sut.exited;
    expect(output()).toMatch(/\/dev\/pts\/\d+/); // its own terminal is there…
    expect(output()).not.toMatch(/ptmx/); // …the first program's master is not
    await first.sut.kill('SIGKILL', 0);
  });

  it('runs the program, and what it starts, at the nice value asked for', async () => {
    // `ps` of the shell itself and of a child it starts (NI is the nice value), once told to go.
    const niced = start(['bash', '-c', 'stty -echo; read go; ps -o ni= -p $$; sh -c \'ps -o ni= -p $$\''], { nice: 7 });
    const plain = start(['bash', '-c', 'stty -echo; read go; ps -o ni= -p $$']);
    niced.sut.write('\r');
    plain.sut.write('\r');
    await eventually(() => niced.output().trim().split(/\s+/).length >= 2 && plain.output().trim() !== '', 5_000, 'the nice values');
    expect(niced.output().trim().split(/\s+/)).toEqual(['7', '7']);
    expect(plain.output().trim()).toBe(String(getPriority()));
  });

  it('fails fast with a typed error when the program does not exist', () => {
    expect(() => spawnPty({ argv: ['no-such-program-xyz'], env, cwd: tmpdir(), cols: 80, rows: 24 })).toThrow(PtySpawnError);
    expect(() => spawnPty({ argv: [], env, cwd: tmpdir(), cols: 80, rows: 24 })).toThrow(PtySpawnError);
  });

  it('reports the exit code and the signal that ended the program', async () => {
    expect(await start(['bash', '-c', 'exit 7']).sut.exited).toEqual({ exitCode: 7, signal: null });
    const { sut } = start(['sleep', '30']);
    await eventually(() => processAlive(sut.pid), 2_000, 'sleep running');
    expect(await sut.kill('SIGTERM', 2_000)).toEqual({ exitCode: null, signal: 'SIGTERM' });
  });

  it('kills the whole process group, SIGKILL after the grace period when TERM is ignored', async () => {
    const { sut, output } = start(['bash', '-c', 'trap "" TERM; sleep 1000 & echo child:$!; wait']);
    const child = Number((await eventually(() => /child:(\d+)/.exec(output()), 5_000, 'child pid'))[1]);
    expect(groupMembers(sut.pid)).toEqual(expect.arrayContaining([sut.pid, child]));

    const t0 = Date.now();
    const exit = await sut.kill('SIGTERM', 500);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450); // TERM was ignored: it took the KILL
    expect(exit.signal).toBe('SIGKILL');
    await eventually(() => groupMembers(sut.pid).length === 0 && !processAlive(child), 3_000, 'group gone');
  });

  it('also ends children that job control moved into process groups of their own', async () => {
    const { sut, output } = start(['bash', '-c', 'set -m; sleep 1000 & echo child:$!; wait']);
    const child = Number((await eventually(() => /child:(\d+)/.exec(output()), 5_000, 'child pid'))[1]);
    expect(groupMembers(sut.pid)).not.toContain(child); // `set -m` gave it its own group
    await sut.kill('SIGTERM', 1_000);
    await eventually(() => !processAlive(child), 3_000, 'job-control child gone');
  });

  it('loses nothing a fast writer prints right before it exits', async () => {
    for (let run = 0; run < 3; run++) {
      const { sut, output } = start(['seq', '1', '200000']);
      await sut.exited;
      const lines = output().split('\r\n');
      expect(lines.length - 1).toBe(200_000);
      expect(lines[199_999]).toBe('200000');
    }
  });

  it('still delivers the last output of a program that exits while reading is paused', async () => {
    const { sut, output } = start(['bash', '-c', 'sleep 0.1; printf "%s" "$(head -c 2000 /dev/zero | tr "\\0" c)"; exit 3']);
    sut.pause(); // and never resumed by the test
    expect(await sut.exited).toEqual({ exitCode: 3, signal: null });
    expect(output().split('c').length - 1).toBe(2_000);
  });

  it('pauses reading while asked and delivers everything after resume', async () => {
    const { sut, output } = start(['bash', '-c', 'read x; head -c 200000 /dev/zero | tr "\\0" a; echo; echo end']);
    sut.pause();
    sut.write('\r');
    await new Promise((r) => setTimeout(r, 300));
    const whilePaused = output().length;
    expect(whilePaused).toBeLessThan(200_000); // the program is blocked on a full PTY buffer
    sut.resume();
    await sut.exited;
    const all = output();
    expect(all.split('a').length - 1).toBe(200_000);
    expect(all.trimEnd().endsWith('end')).toBe(true);
  });
});

/** Live (non-zombie) members of a process group, as `ps` sees them. */
function groupMembers(pgid: number): number[] {
  return execFileSync('ps', ['-e', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, g, stat]) => Number(g) === pgid && !stat?.startsWith('Z'))
    .map(([pid]) => Number(pid));
}

