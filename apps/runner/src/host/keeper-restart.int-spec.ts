import { execFileSync } from 'node:child_process';
import { eventually, processAlive, sleep, startService } from '@baton/testing';
import { RunnerBed } from '../__tests__/runner-bed';
import { tempDir } from '../worktree/__tests__/git-fixtures';
import { processesWithEnv } from './processes';

// Counts, and says what it is typed: every line once in the terminal, whoever was listening.
const COUNTER = 'i=0; while :; do echo "line $i"; i=$((i+1)); read -t 0.05 x && echo "got:$x" && [ "$x" = quit ] && exit 7; done';

/*
 * Issue #13 item 5: a runner that restarts (killed, or asked to with SIGUSR2 for an upgrade)
 * does not kill its sessions. Their PTYs are held by the PTY keeper (pty/pty-keeper.ts); the
 * next life of the runner takes them back: same processes, the terminal going on from the
 * last chunk published, nothing reported as ended.
 */
describe('runner restarts keep sessions running (PTY keeper)', () => {
  let bed: RunnerBed;
  let env: Record<string, string>;
  let runner: Awaited<ReturnType<typeof startService>> | null = null;

  const start = () => bed.start('r1', { launch: { argv: ['bash', '-c', COUNTER], env: {}, cwd: '.', files: [] } });
  const type = (sessionId: string, data: string) => bed.type('r1', sessionId, data);
  const chunks = (sessionId: string) => bed.chunks(sessionId);
  const text = (sessionId: string) => bed.output(sessionId);
  const heartbeat = () => bed.heartbeat('r1');
  /** Every `line N` printed, in order and once each: nothing lost or repeated across the restart. */
  const countedOnce = (output: string) => {
    const numbers = [...output.matchAll(/line (\d+)\r?\n/g)].map((m) => Number(m[1]));
    const gaps = numbers.flatMap((n, i) => (i > 0 && n !== numbers[i - 1] + 1 ? [`${numbers[i - 1]}→${n}`] : []));
    return { first: numbers[0], last: numbers.at(-1) ?? -1, gaps };
  };

  beforeAll(async () => {
    bed = await RunnerBed.open();
    env = { ...bed.ns.env, BATON_RUNNER_ID: 'r1', BATON_DATA_DIR: tempDir('baton-runner-data-'), BATON_RUNNER_DRAIN_MS: '500', BATON_RUNNER_HEARTBEAT_MS: '500', BATON_KEEPER_IDLE_EXIT_MS: '2000' };
  });
  // A failed case leaves no runner behind for the next one.
  afterEach(async () => {
    await runner?.stop();
    runner = null;
  });
  afterAll(async () => {
    await runner?.stop();
    await bed?.close();
  });

  for (const how of ['kill -9', 'SIGUSR2'] as const) {
    it(`after ${how} and a restart, the next runner takes its session back: same processes, its terminal going on, its input typed, its exit reported once`, async () => {
      runner = await startService('runner', env, { name: `runner-${how}` });
      const sessionId = await start();
      await bed.sessions.waitFor(sessionId, 'session.record_spawned');
      await eventually(async () => (await text(sessionId)).includes('line 5'), 10_000, 'counting');
      const processes = processesWithEnv('BATON_SESSION_ID', sessionId);
      expect(processes.length).toBeGreaterThanOrEqual(2);

      if (how === 'kill -9') await runner.kill9();
      else {
        runner.child.kill('SIGUSR2');
        expect(await runner.exited).toMatchObject({ code: 0 });
      }
      const before = countedOnce(await text(sessionId));
      await sleep(1_500); // it counts on while no runner listens
      expect(processes.every(processAlive)).toBe(true);

      runner = await startService('runner', env, { name: `runner-${how}-again` });
      // Within the keeper's 20 s (BATON_KEEPER_ORPHAN_MS), however slowly the runner starts here.
      await eventually(async () => (await heartbeat())?.sessions.some((s) => s.sessionId === sessionId) && new Date((await heartbeat())!.at).getTime() > Date.now() - 2_000, 30_000, 'in the new heartbeat');
      await eventually(async () => countedOnce(await text(sessionId)).last > before.last + 20, 10_000, 'counting on, the lines printed meanwhile published');
      // The screen a late viewer gets is rebuilt from what the keeper kept before the restart, then live.
      const screen = (await (await fetch(`${runner.url}/sessions/${sessionId}/screen`)).json()) as { data: string };
      expect(screen.data).toMatch(/line \d+/);
      await type(sessionId, 'hello\r');
      await eventually(async () => (await text(sessionId)).includes('got:hello'), 15_000, 'typed after the restart');
      await type(sessionId, 'quit\r');
      expect(await bed.sessions.waitFor(sessionId, 'session.record_exit')).toMatchObject({ exitCode: 7, signal: null });
      await sleep(500);
      expect(bed.sessions.of(sessionId, 'session.record_exit')).toHaveLength(1);

      const all = await chunks(sessionId);
      expect(all.map((c) => c.index)).toEqual(all.map((_, i) => i));
      const counted = countedOnce(all.map((c) => c.text).join(''));
      expect(counted).toMatchObject({ first: 0, gaps: [] });
    }, 90_000);
  }

  it('a session no runner takes back is stopped by the keeper (never two copies), and the next runner reports how it ended', async () => {
    // A keeper of its own (another data dir) that gives up on a runner after 3 s, not 20.
    const orphanEnv = { ...env, BATON_DATA_DIR: tempDir('baton-runner-data-'), BATON_KEEPER_ORPHAN_MS: '3000' };
    runner = await startService('runner', orphanEnv, { name: 'runner-orphan' });
    const sessionId = await start();
    await bed.sessions.waitFor(sessionId, 'session.record_spawned');
    await eventually(async () => (await text(sessionId)).includes('line 2'), 10_000, 'counting');
    const processes = processesWithEnv('BATON_SESSION_ID', sessionId);
    await runner.kill9();
    // 3 s here; 20 s by default: before the sessions service may place it elsewhere.
    await eventually(() => !processes.some(processAlive), 20_000, 'stopped by the keeper').catch((e) => {
      throw new Error(`${e}: ${execFileSync('ps', ['-o', 'pid,ppid,pgid,sid,stat,args', '-p', processes.join(',')], { encoding: 'utf8' })}`);
    });
    expect(bed.sessions.of(sessionId, 'session.record_exit')).toEqual([]);
    runner = await startService('runner', orphanEnv, { name: 'runner-orphan-again' });
    expect(await bed.sessions.waitFor(sessionId, 'session.record_exit')).toMatchObject({ sessionId, signal: 'SIGTERM' });
  }, 60_000);
});
