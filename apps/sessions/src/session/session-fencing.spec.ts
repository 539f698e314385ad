import { deciderSpec } from '@baton/testing';
import { cmd, decide, find, history, place, register, spawn, spawned, stateOf, statuses, t, timelineKinds, types } from './__tests__/session-fixtures';
import { sessionDecider } from './session.decider';

/*
 * Slow is not dead, and a moved session has one live copy (docs/decisions/0026): a lost session
 * is held for its runner to reclaim; once moved, its placement epoch fences the old copy.
 */
const restarts = { restart: { mode: 'on-failure' as const, backoffMs: 0, maxBackoffMs: 0, maxRestarts: 3, resetAfterMs: null } };
const HOLD = 30_000;
const heldLost = (runnerId = 'r1', at = t(20)) => cmd('session.mark_lost', { runnerId, reason: 'no heartbeat for 10s', holdMs: HOLD }, at, 'system');
const reclaim = (data: Record<string, unknown> = {}, at = t(25)) => cmd('session.reclaim', { runnerId: 'r1', epoch: 1, pid: 4242, ...data }, at, 'system');
const placeOn = (runnerId: string, at: string) => cmd('session.place', { runnerId }, at, 'system');
const spawnedOn = (runnerId: string, epoch: number, at: string) => cmd('session.record_spawned', { runnerId, epoch, pid: 5000 + epoch }, at, 'system');
const exitOf = (runnerId: string, epoch: number, at: string, exitCode = 0) => cmd('session.record_exit', { runnerId, epoch, exitCode }, at, 'system');
const matchOf = (runnerId: string, epoch: number, at: string) => cmd('session.record_output_match', { runnerId, epoch, pattern: 'error', text: 'boom' }, at, 'system');

/** Running on r1 (epoch 1), then lost and held. */
const held = () => history(spawn({}, restarts), place(), cmd('session.record_spawned', { runnerId: 'r1', epoch: 1, pid: 4242 }, t(2), 'system'), register(), heldLost());
/** Held, the hold over: moved to r2 under epoch 2 and running there. */
const moved = () => history(spawn({}, restarts), place(), spawned(), register(), heldLost(), heldLost('r1', t(51)), placeOn('r2', t(52)), spawnedOn('r2', 2, t(53)));

describe('sessionDecider: a lost runner is held, reclaimed or fenced', () => {
  const sut = deciderSpec(sessionDecider);

  describe('held lost', () => {
    it('marks the session lost and holds it: nothing restarted, nothing killed, until the hold ends', () => {
      const events = decide(running1(), heldLost());
      expect(statuses(events)).toEqual(['lost']);
      expect(types(events)).not.toContain('session.restart_scheduled');
      expect(types(events)).not.toContain('session.ended');
      const after = stateOf(held());
      expect(after).toMatchObject({ status: 'lost', runnerId: 'r1', epoch: 1, process: 'running', until: t(50) });
    });

    it('marked again before the hold ends: still held', () => {
      sut.given(held()).when(heldLost('r1', t(40))).then([]);
    });

    it('marked again once the hold is over: moved per its policy, the old copy (epoch 1) to be fenced', () => {
      const events = decide(held(), heldLost('r1', t(50)));
      expect(statuses(events)).toEqual(['pending']);
      expect(find(events, 'session.restart_scheduled')).toMatchObject({ previousRunnerId: 'r1', killProcess: true, epoch: 1 });
    });

    it('without a restart policy, the end of the hold fails it', () => {
      const noRestart = history(spawn(), place(), spawned(), register(), heldLost());
      const events = decide(noRestart, heldLost('r1', t(51)));
      expect(statuses(events)).toEqual(['failed']);
      expect(find(events, 'session.ended')).toMatchObject({ status: 'failed', killProcess: true });
    });
  });

  describe('reclaimed', () => {
    it('its runner answers again under the same epoch: back to the status it had, its process kept', () => {
      const events = decide(held(), reclaim());
      expect(statuses(events)).toEqual(['idle']);
      expect(timelineKinds(events)).toEqual(['milestone']);
      expect(types(events)).not.toContain('session.restart_scheduled');
    });

    it('a working session comes back working, and takes input again', () => {
      const working = history(spawn({}, restarts), place(), spawned(), register(), cmd('session.report_status', { status: 'working' }, t(4), 'agent'), heldLost());
      expect(statuses(decide(working, reclaim()))).toEqual(['working']);
    });

    it('a report from its runner under its epoch reclaims it too, then counts', () => {
      const events = decide(held(), matchOf('r1', 1, t(30)));
      expect(statuses(events)).toEqual(['idle']);
      expect(timelineKinds(events)).toEqual(['milestone', 'error']);
      // An exit reported after the runner was back: the run ends the way it would have.
      expect(statuses(decide(held(), exitOf('r1', 1, t(30), 0)))).toEqual(['idle', 'completed']);
    });

    it('its agent reporting or registering while held proves it runs: reclaimed, not told it moved', () => {
      const events = decide(held(), cmd('session.report', { kind: 'progress', message: 'half way', progress: 0.5 }, t(30), 'agent'));
      expect(statuses(events)).toEqual(['idle']);
      expect(timelineKinds(events)).toEqual(['milestone', 'progress']);
      expect(statuses(decide(held(), cmd('session.report_status', { status: 'completed' }, t(30), 'agent')))).toEqual(['idle', 'completed']);
      const lostSpawning = history(spawn({}, restarts), place(), cmd('session.record_spawned', { runnerId: 'r1', epoch: 1, pid: 4242 }, t(2), 'system'), heldLost('r1', t(5)));
      expect(statuses(decide(lostSpawning, register(t(6))))).toEqual(['spawning', 'idle']);
    });

    it('a session lost while spawning comes back spawning', () => {
      const spawning = history(spawn({}, restarts), place(), cmd('session.record_spawned', { runnerId: 'r1', epoch: 1, pid: 4242 }, t(2), 'system'), heldLost('r1', t(5)));
      expect(statuses(decide(spawning, reclaim({}, t(6))))).toEqual(['spawning']);
    });

    it('a reclaim for a session that is not lost, or that moved on, changes nothing', () => {
      sut.given(running1()).when(reclaim()).then([]);
      sut.given(moved()).when(reclaim()).then([]);
    });

    it('a reclaim from another runner, or under a stale epoch, is refused', () => {
      sut.given(held()).when(reclaim({ runnerId: 'r2' })).thenThrows('conflict');
      sut.given(held()).when(reclaim({ epoch: 0 })).thenThrows('conflict', /stale/);
    });
  });

  describe('fenced', () => {
    it('counts placements: the epoch of the copy on r2 is 2', () => {
      expect(stateOf(moved())).toMatchObject({ status: 'spawning', runnerId: 'r2', epoch: 2, process: 'running' });
    });

    it('refuses every report of the old copy (epoch 1): spawned, output, exit', () => {
      sut.given(moved()).when(spawnedOn('r1', 1, t(60))).thenThrows('conflict');
      sut.given(moved()).when(matchOf('r1', 1, t(60))).thenThrows('conflict');
      sut.given(moved()).when(exitOf('r1', 1, t(60))).thenThrows('conflict', /stale/);
    });

    it('refuses the old copy’s exit even while the session waits to be placed again', () => {
      const pending = history(spawn({}, restarts), place(), spawned(), register(), heldLost(), heldLost('r1', t(51)));
      expect(stateOf(pending).status).toBe('pending');
      sut.given(pending).when(exitOf('r1', 1, t(52), 1)).thenThrows('conflict', /stale/);
    });

    it('moved back onto the same runner: the old copy (epoch 1) is refused, the new one (epoch 3) heard', () => {
      const back = history(spawn({}, restarts), place(), spawned(), register(), heldLost(), heldLost('r1', t(51)), placeOn('r1', t(52)));
      expect(stateOf(back).epoch).toBe(2);
      sut.given(back).when(spawnedOn('r1', 1, t(53))).thenThrows('conflict', /stale/);
      expect(types(decide(back, spawnedOn('r1', 2, t(53))))).toContain('session.spawned');
    });

    it('the new copy’s reports count', () => {
      expect(statuses(decide(moved(), cmd('session.register', { agent: 'demo' }, t(54), 'agent')))).toEqual(['idle']);
      expect(statuses(decide(moved(), exitOf('r2', 2, t(60), 1)))).toEqual(['pending']);
    });
  });
});

function running1() {
  return history(spawn({}, restarts), place(), cmd('session.record_spawned', { runnerId: 'r1', epoch: 1, pid: 4242 }, t(2), 'system'), register());
}
