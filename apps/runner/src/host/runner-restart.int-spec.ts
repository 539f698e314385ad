import { Client } from 'pg';
import type { RunnerStart } from '@baton/events';
import { eventually, processAlive, sleep, startService, type ManagedProcess } from '@baton/testing';
import { RunnerBed } from '../__tests__/runner-bed';
import { processesWithEnv } from './processes';
import { tempDir } from '../worktree/__tests__/git-fixtures';

const argv = (script: string): Partial<RunnerStart> => ({ launch: { argv: ['bash', '-c', script], env: {}, cwd: '.', files: [] } });
// Ignores the hangup a dying runner's PTY sends, like a program started with nohup.
const HUP_PROOF = 'trap "" HUP; sleep 1000 & echo child:$!; wait';

describe('runner restart and shutdown', () => {
  let bed: RunnerBed;
  let env: Record<string, string>;
  let runner: ManagedProcess;

  const start = (overrides: Partial<RunnerStart>) => bed.start('r1', overrides);
  const childOf = async (sessionId: string) => Number((await eventually(async () => /child:(\d+)/.exec(await bed.output(sessionId)), 5_000, 'child pid'))[1]);
  const heartbeat = () => bed.heartbeat('r1');

  beforeAll(async () => {
    bed = await RunnerBed.open();
    // Without the PTY keeper (keeper-restart.int-spec.ts has it) nor the sandbox: what a machine
    // without bubblewrap runs, where a session's processes can outlive a killed runner and only
    // the next life of the runner ends them (the last case is the sandboxed one).
    env = { ...bed.ns.env, BATON_RUNNER_ID: 'r1', BATON_DATA_DIR: tempDir('baton-runner-data-'), BATON_RUNNER_DRAIN_MS: '500', BATON_RUNNER_HEARTBEAT_MS: '500', BATON_RUNNER_SANDBOX: 'off', BATON_RUNNER_KEEPER: 'off' };
    runner = await startService('runner', env, { name: 'runner-1' });
  });
  afterAll(async () => {
    await runner?.stop();
    await bed?.close();
  });

  it('after kill -9 and a restart, kills what was left running and reports every exit it owed', async () => {
    const plain = await start({ launch: { argv: ['sleep', '1000'], env: {}, cwd: '.', files: [] } });
    const stubborn = await start(argv(HUP_PROOF));
    const unrecorded = await start(argv(HUP_PROOF));
    const pids = new Map<string, number>();
    for (const id of [plain, stubborn, unrecorded]) pids.set(id, (await bed.sessions.waitFor(id, 'session.record_spawned')).pid as number);
    const stubbornChild = await childOf(stubborn);
    const unrecordedChild = await childOf(unrecorded);

    await runner.kill9();
    // The hangup of its terminal ends the plain program; the other two keep running, orphaned.
    await eventually(() => !processAlive(pids.get(plain)!), 5_000, 'plain program ended by the hangup');
    await sleep(200);
    expect([stubborn, unrecorded].map((id) => processAlive(pids.get(id)!))).toEqual([true, true]);
    expect(processAlive(stubbornChild) && processAlive(unrecordedChild)).toBe(true);
    // A spawn whose row never reached the database: only the environment marker finds it.
    const pg = new Client({ connectionString: bed.ns.databaseUrl });
    await pg.connect();
    await pg.query(`DELETE FROM "${bed.broker.names.pgSchema('runner')}"."hosted_sessions" WHERE session_id = $1`, [unrecorded]);
    await pg.end();

    runner = await startService('runner', env, { name: 'runner-2' });
    expect(await bed.sessions.waitFor(plain, 'session.record_exit')).toEqual({ sessionId: plain, runnerId: 'r1', exitCode: null, signal: null });
    expect(await bed.sessions.waitFor(stubborn, 'session.record_exit')).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    await eventually(() => ![stubbornChild, unrecordedChild, pids.get(stubborn)!, pids.get(unrecorded)!].some(processAlive), 5_000, 'leftovers killed');
    expect(bed.sessions.of(unrecorded, 'session.record_exit')).toEqual([]);
    await eventually(async () => (await heartbeat())?.sessions.length === 0, 5_000, 'empty heartbeat');

    // A third life has nothing left to report: each exit was reported once.
    await runner.kill9();
    runner = await startService('runner', env, { name: 'runner-3' });
    await sleep(1_000);
    expect(bed.sessions.of(stubborn, 'session.record_exit')).toHaveLength(1);
    expect(bed.sessions.of(plain, 'session.record_exit')).toHaveLength(1);
  });

  it('on SIGTERM refuses new starts, stops its sessions, reports their exits and leaves the runners bucket', async () => {
    const running = await start({ launch: { argv: ['sleep', '1000'], env: {}, cwd: '.', files: [] } });
    const pid = (await bed.sessions.waitFor(running, 'session.record_spawned')).pid as number;
    await eventually(async () => (await heartbeat())?.sessions.some((s) => s.sessionId === running), 5_000, 'in heartbeat');

    runner.child.kill('SIGTERM');
    await sleep(150);
    const late = await start({ launch: { argv: ['sleep', '1000'], env: {}, cwd: '.', files: [] } });
    expect(await bed.sessions.waitFor(late, 'session.record_spawn_failed')).toMatchObject({ retryable: true, error: 'runner is shutting down' });
    expect(await bed.sessions.waitFor(running, 'session.record_exit')).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    await runner.exited;
    expect(processAlive(pid)).toBe(false);
    expect(await heartbeat()).toBeNull();
  });

  it('in its sandbox, a session ends with its runner on kill -9 (nothing of it is left), and the next life reports its exit', async () => {
    const sandboxed = { ...env, BATON_RUNNER_SANDBOX: 'on' };
    runner = await startService('runner', sandboxed, { name: 'runner-sandboxed' });
    const stubborn = await start(argv(HUP_PROOF));
    await bed.sessions.waitFor(stubborn, 'session.record_spawned');
    await eventually(async () => /child:\d+/.test(await bed.output(stubborn)), 5_000, 'child started');
    // bwrap, bash and its child, on the host.
    const processes = processesWithEnv('BATON_SESSION_ID', stubborn);
    expect(processes.length).toBeGreaterThanOrEqual(3);

    await runner.kill9();
    await eventually(() => !processes.some(processAlive), 5_000, 'every process of the session gone with its runner');
    runner = await startService('runner', sandboxed, { name: 'runner-sandboxed-2' });
    expect(await bed.sessions.waitFor(stubborn, 'session.record_exit')).toEqual({ sessionId: stubborn, runnerId: 'r1', exitCode: null, signal: null });
  });
});

