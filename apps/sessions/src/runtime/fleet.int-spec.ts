import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monotonicFactory } from 'ulid';
import { ProjectCreated, registry, RunnerHeartbeatSchema, stampEvents, type RunnerHeartbeat } from '@baton/events';
import { CommandBus } from '@baton/event-store';
import { createTestNamespace, eventually, processAlive, sleep, startService, type ManagedProcess, type TestNamespace } from '@baton/testing';
import { id, operator, snapshot, SessionsHarness, TEST_SECRET } from './__tests__/sessions-harness';

/*
 * Slow is not dead; moved means fenced (docs/decisions/0026). Real sessions service, real runner
 * processes, real PTYs: a runner stopped with SIGSTOP for longer than the silence limit comes back
 * and reclaims its sessions, still running; a session that really moved has its old copy stopped
 * when the old runner comes back, and nothing that copy sends is accepted.
 * No timing is asserted: on a loaded machine every wait is long and the story is the same.
 */
const newId = monotonicFactory();
const temps: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
function repo(): string {
  const dir = temp('baton-fleet-repo-');
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir, env: gitEnv });
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'initial'], { cwd: dir, env: gitEnv });
  return dir;
}

/** A command that keeps running and printing: its process must outlive a frozen runner. */
const ticking = (restart: boolean) =>
  snapshot({
    kind: 'command',
    registration: 'on_spawn',
    argv: ['sh', '-c', 'while true; do echo tick; sleep 1; done'],
    restart: restart ? { mode: 'on-failure', backoffMs: 0, maxBackoffMs: 0, maxRestarts: 3, resetAfterMs: null } : { mode: 'never', backoffMs: 0, maxBackoffMs: 0, maxRestarts: 0, resetAfterMs: null },
  });

describe('the fleet under a frozen runner (real processes, SIGSTOP)', () => {
  let ns: TestNamespace;
  let h: SessionsHarness;
  let sessions: ManagedProcess | undefined;
  const runners: ManagedProcess[] = [];
  let projectId: string;

  const startSessions = async (holdMs: number) => {
    sessions = await startService('sessions', { ...ns.env, BATON_AGENT_TOKEN_SECRET: TEST_SECRET, BATON_LOST_HOLD_MS: String(holdMs) }, { name: `sessions-hold-${holdMs}` });
    await h.waitUntilServing();
  };
  const startRunner = async (runnerId: string, pool: string) => {
    const r = await startService('runner', { ...ns.env, BATON_RUNNER_ID: runnerId, BATON_DATA_DIR: temp('baton-fleet-runner-'), BATON_RUNNER_LABELS: `pool=${pool}`, BATON_RUNNER_CAPACITY: '4', BATON_RUNNER_HEARTBEAT_MS: '1000', BATON_RUNNER_DRAIN_MS: '0' }, { name: runnerId });
    runners.push(r);
    await eventually(async () => (await h.queries.ask<{ id: string }[]>('sessions', 'list_runners', {})).some((x) => x.id === runnerId) && (await heartbeatOf(runnerId)) !== null, 60_000, `${runnerId} registered and beating`);
    return r;
  };
  const heartbeatOf = async (runnerId: string): Promise<RunnerHeartbeat | null> => {
    const entry = await (await h.broker.kv(h.broker.names.kv.runners)).get(runnerId);
    return entry?.operation === 'PUT' ? RunnerHeartbeatSchema.parse(entry.json()) : null;
  };
  const pidOn = async (runnerId: string, sessionId: string) =>
    eventually(async () => (await heartbeatOf(runnerId))?.sessions.find((s) => s.sessionId === sessionId && s.pid)?.pid ?? null, 30_000, `${sessionId}'s pid on ${runnerId}`);
  const spawn = (pool: string, restart: boolean) => h.spawn({ projectId, templateId: 'ticking', runnerLabels: { pool }, template: ticking(restart) });

  beforeAll(async () => {
    ns = await createTestNamespace();
    h = await SessionsHarness.open(ns);
    projectId = id('p');
    const cmdId = newId();
    const command = { id: cmdId, type: 'project.create', actor: operator, correlationId: cmdId, issuedAt: new Date().toISOString(), data: {} };
    const events = stampEvents(command, { type: 'project', id: projectId }, [ProjectCreated({ name: 'Fleet', repository: { location: repo(), defaultBranch: 'main' }, concurrencyLimit: null, env: {} })], newId);
    await h.store.append({ type: 'project', id: projectId }, events, { expectedLastSeq: 0, msgIdBase: cmdId });
  }, 120_000);
  afterAll(async () => {
    for (const r of runners) {
      try {
        process.kill(r.child.pid!, 'SIGCONT');
      } catch {
        // gone
      }
      await r.stop();
    }
    await sessions?.stop();
    await h?.close();
    await ns?.cleanup();
    for (const d of temps) rmSync(d, { recursive: true, force: true });
  }, 120_000);

  it('a runner frozen past its silence limit comes back and reclaims its sessions: same processes, nothing restarted or killed', async () => {
    await startSessions(600_000);
    const pool = id('pool');
    const runnerId = id('r');
    const runner = await startRunner(runnerId, pool);
    const [a, b] = [await spawn(pool, true), await spawn(pool, false)];
    for (const s of [a, b]) await h.status(s, 'working', 60_000);
    const pids = [await pidOn(runnerId, a), await pidOn(runnerId, b)];

    process.kill(runner.child.pid!, 'SIGSTOP');
    try {
      for (const s of [a, b]) await h.status(s, 'lost', 120_000);
      // Frozen for longer than one silence limit: its agents never stopped.
      await sleep(2_000);
      expect(pids.map(processAlive)).toEqual([true, true]);
    } finally {
      process.kill(runner.child.pid!, 'SIGCONT');
    }

    for (const s of [a, b]) {
      const back = await h.status(s, 'working', 120_000);
      expect({ runnerId: back.runnerId, runs: back.runs, restarts: back.restarts }).toEqual({ runnerId, runs: 1, restarts: 0 });
    }
    expect(pids.map(processAlive)).toEqual([true, true]);
    expect(await pidOn(runnerId, a)).toBe(pids[0]);
    const events = await h.events(a);
    expect(events.map((e) => e.type)).not.toContain('session.restart_scheduled');
    // Lost and reclaimed (more than once, should the loaded machine freeze it again): never pending, never ended.
    const statuses = events.filter((e) => e.type === 'session.status_changed').map((e) => (e.data as { to: string }).to);
    expect(statuses.slice(0, 4)).toEqual(['spawning', 'working', 'lost', 'working']);
    expect(statuses.filter((x) => x !== 'working' && x !== 'lost')).toEqual(['spawning']);
    await sessions!.stop();
    sessions = undefined;
  }, 420_000);

  it('a session moved to another runner: the old copy is fenced when its runner comes back, and its stale reports are refused', async () => {
    await startSessions(2_000);
    const pool = id('pool');
    const oldRunnerId = id('r');
    const old = await startRunner(oldRunnerId, pool);
    const s = await spawn(pool, true);
    await h.until(s, (v) => v.status === 'working' && v.runnerId === oldRunnerId, 60_000, `working on ${oldRunnerId}`);
    const oldPid = await pidOn(oldRunnerId, s);
    const newRunnerId = id('r');
    await startRunner(newRunnerId, pool);

    process.kill(old.child.pid!, 'SIGSTOP');
    let movedAt: number;
    try {
      // Lost, held 2 s, then moved: running on the other runner under placement epoch 2.
      await h.until(s, (v) => v.status === 'working' && v.runnerId === newRunnerId, 180_000, `moved to ${newRunnerId}`);
      movedAt = (await h.events(s)).length;
      // Two live copies while the old runner is frozen (it cannot hear yet); the fence ends the old one.
      expect(processAlive(oldPid)).toBe(true);
    } finally {
      process.kill(old.child.pid!, 'SIGCONT');
    }
    await eventually(() => !processAlive(oldPid), 60_000, 'the old copy stopped by its fenced runner');
    // The session runs on under its newest placement (on a machine this loaded it may have moved
    // once more: each move is a new epoch), on a runner whose heartbeat lists it with that epoch.
    const placements = async () => (await h.events(s)).filter((e) => e.type === 'session.placed').length;
    await eventually(async () => {
      const v = await h.session(s);
      const epoch = await placements();
      const listed = v.status === 'working' && v.runnerId ? (await heartbeatOf(v.runnerId))?.sessions.find((x) => x.sessionId === s) : undefined;
      return listed?.epoch === epoch && epoch >= 2;
    }, 120_000, 'running under its newest epoch');

    // Whatever the old copy sends under its epoch is refused, and the session stays on its new runner.
    const bus = new CommandBus(h.broker);
    // Sent the way that runner sends (its actor, its subject, its ids): refused for the epoch alone.
    const actor = { kind: 'system' as const, id: `runner:${oldRunnerId}` };
    const stale = await bus.send(registry.command('session.record_output_match')!, { sessionId: s, runnerId: oldRunnerId, epoch: 1, pattern: 'error', text: 'from the old copy' }, Object.assign({ actor, id: `${oldRunnerId}.${s}.stale-match`, timeoutMs: 15_000 }, { fromRunner: oldRunnerId }));
    expect(stale).toMatchObject({ status: 'rejected', code: 'conflict' });
    const staleExit = await bus.send(registry.command('session.record_exit')!, { sessionId: s, runnerId: oldRunnerId, epoch: 1, exitCode: 1 }, Object.assign({ actor, id: `${oldRunnerId}.${s}.stale-exit`, timeoutMs: 15_000 }, { fromRunner: oldRunnerId }));
    expect(staleExit).toMatchObject({ status: 'rejected', code: 'conflict' });

    await sleep(3_000);
    const events = await h.events(s);
    const now = await h.session(s);
    expect({ status: now.status, moved: now.runs >= 2 }).toEqual({ status: 'working', moved: true });
    // The old copy's reports all carry its start's prefix: nothing it said after the move reached the log.
    const cause = (e: unknown) => (e as { causationId?: string }).causationId ?? '';
    const oldCopy = cause(events.find((e) => e.type === 'session.spawned')).replace(/spawned$/, '');
    expect(oldCopy).toContain(`${oldRunnerId}.${s}.`);
    expect(events.slice(movedAt!).filter((e) => cause(e).includes(oldCopy)).map((e) => e.type)).toEqual([]);
  }, 420_000);
});
