import { SessionPlaced, SessionRequested, SessionStatusChanged, isDomainError } from '@baton/events';
import { deciderSpec } from '@baton/testing';
import {
  cmd,
  decide,
  exit,
  find,
  history,
  lost,
  openInAttempt,
  place,
  register,
  running,
  runningCommand,
  snapshot,
  spawn,
  spawned,
  stateOf,
  statuses,
  stop,
  t,
  timelineKinds,
  types,
} from './__tests__/session-fixtures';
import { sessionDecider } from './session.decider';

describe('sessionDecider: lifecycle', () => {
  const sut = deciderSpec(sessionDecider);

  describe('spawn', () => {
    it('requests a pending session, pins its template and starts the timeline', () => {
      const events = sut.given([]).when(spawn({ taskIds: ['t1'], name: 'Fix login' })).thenEvents();
      expect(types(events)).toEqual(['session.requested', 'session.template_pinned', 'session.timeline_recorded']);
      expect(events[0]).toEqual(
        SessionRequested({
          projectId: 'p1',
          templateId: 'tpl',
          taskIds: ['t1'],
          attemptId: null,
          parentSessionId: null,
          strategy: 'simple',
          role: 'worker',
          name: 'Fix login',
          origin: { kind: 'manual' },
          runnerLabels: {},
          budget: null,
          prompt: null,
        }),
      );
      expect(find(events, 'session.template_pinned')).toMatchObject({ templateId: 'tpl', version: 1, builtIn: false });
      expect(timelineKinds(events)).toEqual(['session_started']);
      const state = stateOf(history(spawn({ taskIds: ['t1', 't2'] })));
      expect(state).toMatchObject({ status: 'pending', items: [{ taskId: 't1', status: 'queued' }, { taskId: 't2', status: 'queued' }] });
    });

    it('refuses a session id that exists', () => {
      sut.given(history(spawn())).when(spawn()).thenThrows('conflict', /already exists/);
    });

    it('refuses a queue of a plain command, at the edge and in the decider', () => {
      expect(() => spawn({ strategy: 'queue', taskIds: ['t1'] }, { kind: 'command', registration: 'on_spawn' })).toThrow(/needs an agent template/);
      const unchecked = spawn({ strategy: 'queue', taskIds: ['t1'] });
      (unchecked.data as { template: unknown }).template = snapshot({ kind: 'command', registration: 'on_spawn' });
      sut.given([]).when(unchecked).thenThrows('validation', /needs an agent/);
    });

    it('opens a session in an attempt only for the seat (a system actor)', () => {
      sut.given([]).when(openInAttempt({}, {}, 'user')).thenThrows('forbidden', /spawn_in_attempt/);
      const [requested] = sut.given([]).when(openInAttempt()).thenEvents();
      expect(requested.data).toMatchObject({ attemptId: 'a1', taskIds: ['t1'] });
    });
  });

  describe('placement', () => {
    const pending = history(spawn());

    it('places a pending session: spawning on the runner', () => {
      sut
        .given(pending)
        .when(place('r1'))
        .then([SessionPlaced({ runnerId: 'r1' }), SessionStatusChanged({ from: 'pending', to: 'spawning', source: 'scheduler', reason: 'placed on runner r1' })]);
    });

    it('is idempotent on the same runner and refuses another once placed', () => {
      const placed = history(spawn(), place('r1'));
      sut.given(placed).when(place('r1')).then([]);
      sut.given(placed).when(place('r2')).thenThrows('conflict', /spawning, not pending/);
    });

    it('refuses to place before a restart backoff ends', () => {
      const restarting = history(spawn({}, { restart: { mode: 'always', backoffMs: 5_000, maxBackoffMs: 5_000, maxRestarts: 3, resetAfterMs: null } }), place(), spawned(), register(), exit(0, t(10)));
      expect(stateOf(restarting)).toMatchObject({ status: 'pending', until: t(15) });
      sut.given(restarting).when(place('r1', t(12))).thenThrows('invalid_state', /backs off until/);
      expect(statuses(decide(restarting, place('r1', t(15))))).toEqual(['spawning']);
    });

    it('refuses commands on a session that does not exist', () => {
      sut.given([]).when(place()).thenThrows('not_found');
      sut.given([]).when(stop()).thenThrows('not_found');
    });
  });

  describe('spawn and registration', () => {
    it('an agent stays spawning until it registers, then is idle', () => {
      const placed = history(spawn(), place());
      const events = decide(placed, spawned());
      expect(types(events)).toEqual(['session.spawned', 'session.timeline_recorded']);
      const up = history(spawn(), place(), spawned());
      expect(stateOf(up)).toMatchObject({ status: 'spawning', process: 'running', pid: 4242, runs: 1 });
      const reg = decide(up, register());
      expect(types(reg)).toEqual(['session.ready', 'session.status_changed']);
      expect(statuses(reg)).toEqual(['idle']);
      expect(find(reg, 'session.ready')).toEqual({ via: 'registered', agent: 'claude 1.0', origin: { kind: 'manual' } });
    });

    it('registering again changes nothing; registering before placement is refused', () => {
      sut.given(running()).when(register()).then([]);
      sut.given(history(spawn())).when(register()).thenThrows('invalid_state', /not placed/);
    });

    it('an agent that registers before the runner reports its spawn is idle; the spawn report then only records the pid', () => {
      const early = history(spawn(), place(), register());
      expect(stateOf(early)).toMatchObject({ status: 'idle', process: 'running' });
      expect(types(decide(early, spawned()))).toEqual(['session.spawned', 'session.timeline_recorded']);
    });

    it('is ready as soon as it runs when its template says so (on_spawn); a command is then working', () => {
      expect(statuses(decide(history(spawn({}, { registration: 'on_spawn' }), place()), spawned()))).toEqual(['idle']);
      expect(statuses(decide(history(spawn({}, { kind: 'command', registration: 'on_spawn' }), place()), spawned()))).toEqual(['working']);
    });

    it('a command with a ready pattern is spawning until the pattern shows', () => {
      const up = history(spawn({}, { kind: 'command', registration: 'ready_pattern', readyPattern: 'listening on' }), place(), spawned());
      expect(stateOf(up).status).toBe('spawning');
      const events = decide(up, cmd('session.record_output_match', { runnerId: 'r1', pattern: 'ready', text: 'listening on :3000' }, t(4), 'system'));
      expect(statuses(events)).toEqual(['working']);
      expect(find(events, 'session.ready')).toMatchObject({ via: 'ready_pattern' });
    });

    it('fails when not ready within the registration timeout of its process start (time from the command), and tells the runner to kill it', () => {
      const up = history(spawn(), place('r1', t(1)), spawned('r1', t(2)));
      sut.given(up).when(cmd('session.check_registration', {}, t(31), 'system')).then([]);
      const events = decide(up, cmd('session.check_registration', {}, t(32), 'system'));
      expect(statuses(events)).toEqual(['failed']);
      expect(find(events, 'session.ended')).toMatchObject({ status: 'failed', reason: 'registration timeout (30s)', killProcess: true, runnerId: 'r1' });
      sut.given(running()).when(cmd('session.check_registration', {}, t(100), 'system')).then([]);
    });

    it('the registration clock starts when the process does: a slow start on the runner (setup script) does not count', () => {
      const placed = history(spawn(), place('r1', t(1)));
      sut.given(placed).when(cmd('session.check_registration', {}, t(100), 'system')).then([]);
      const late = history(spawn(), place('r1', t(1)), spawned('r1', t(90)));
      sut.given(late).when(cmd('session.check_registration', {}, t(100), 'system')).then([]);
      expect(statuses(decide(late, cmd('session.check_registration', {}, t(120), 'system')))).toEqual(['failed']);
    });

    it('a runner that cannot start it: back to pending when it may try elsewhere, else failed', () => {
      const placed = history(spawn(), place());
      const retry = decide(placed, cmd('session.record_spawn_failed', { runnerId: 'r1', error: 'runner full', retryable: true }, t(2), 'system'));
      expect(statuses(retry)).toEqual(['pending']);
      expect(timelineKinds(retry)).toEqual(['error']);
      const fatal = decide(placed, cmd('session.record_spawn_failed', { runnerId: 'r1', error: 'no such program' }, t(2), 'system'));
      expect(statuses(fatal)).toEqual(['failed']);
      expect(find(fatal, 'session.ended')).toMatchObject({ reason: 'spawn failed: no such program', killProcess: true });
    });

    it('a report from a runner that does not host it is refused with 409 (so it kills its orphan)', () => {
      sut.given(running()).when(spawned('r9')).thenThrows('conflict', /not on runner r9 \(it is on r1\)/);
      sut.given(history(spawn(), place(), stop({}, t(2)))).when(spawned('r1')).thenThrows('conflict', /stopped: stop its process/);
      sut.given(running()).when(exit(1, t(5), 'r9')).thenThrows('conflict');
    });
  });

  describe('process exit', () => {
    it('an agent that exits 0 completed; non-zero failed (restart policy never)', () => {
      const ok = decide(running(), exit(0));
      expect(types(ok)).toEqual(['session.process_exited', 'session.status_changed', 'session.timeline_recorded', 'session.ended']);
      expect(statuses(ok)).toEqual(['completed']);
      expect(find(ok, 'session.ended')).toMatchObject({ status: 'completed', exitCode: 0, killProcess: false });
      const bad = decide(running(), exit(2));
      expect(statuses(bad)).toEqual(['failed']);
      expect(find(bad, 'session.ended')).toMatchObject({ reason: 'exited with code 2; not restarted: restart policy is never', exitCode: 2 });
    });

    it('restarts on failure with backoff, then gives up after maxRestarts', () => {
      const policy = { restart: { mode: 'on-failure' as const, backoffMs: 1_000, maxBackoffMs: 8_000, maxRestarts: 2, resetAfterMs: null } };
      const first = decide(running(policy), exit(1, t(10)));
      expect(statuses(first)).toEqual(['pending']);
      expect(timelineKinds(first)).toEqual(['restarted']);
      expect(find(first, 'session.restart_scheduled')).toEqual({ restart: 1, reason: 'exited with code 1', notBefore: t(11), previousRunnerId: 'r1', killProcess: false });
      const again = history(spawn({}, policy), place(), spawned(), register(), exit(1, t(10)), place('r2', t(11)), spawned('r2', t(12)), register(t(13)), exit(1, t(14), 'r2'));
      expect(stateOf(again)).toMatchObject({ status: 'pending', restarts: 2, until: t(16), runs: 2 });
      const gaveUp = history(
        spawn({}, policy),
        place(),
        spawned(),
        register(),
        exit(1, t(10)),
        place('r2', t(11)),
        spawned('r2', t(12)),
        register(t(13)),
        exit(1, t(14), 'r2'),
        place('r3', t(16)),
        spawned('r3', t(17)),
        register(t(18)),
        exit(1, t(19), 'r3'),
      );
      expect(stateOf(gaveUp)).toMatchObject({ status: 'failed', endedReason: 'exited with code 1; not restarted: gave up after 2 restarts' });
    });

    it('does not restart a clean exit on-failure, but does with always', () => {
      expect(statuses(decide(running({ restart: { mode: 'on-failure', backoffMs: 0, maxBackoffMs: 0, maxRestarts: 5, resetAfterMs: null } }), exit(0)))).toEqual(['completed']);
      expect(statuses(decide(running({ restart: { mode: 'always', backoffMs: 0, maxBackoffMs: 0, maxRestarts: 5, resetAfterMs: null } }), exit(0)))).toEqual(['pending']);
    });

    it('an agent that dies before it was ready failed', () => {
      expect(statuses(decide(history(spawn(), place(), spawned()), exit(0)))).toEqual(['failed']);
    });

    it('a plain command exits with its code, or ends with the verdict of its patterns', () => {
      const plain = decide(runningCommand(), exit(3));
      expect(statuses(plain)).toEqual(['exited']);
      expect(find(plain, 'session.ended')).toMatchObject({ status: 'exited', exitCode: 3 });
      const command = (templ: Parameters<typeof spawn>[1]) => [spawn({}, { kind: 'command', registration: 'on_spawn', ...templ }), place(), spawned()];
      const green = history(...command({ successPattern: 'passed' }), cmd('session.record_output_match', { runnerId: 'r1', pattern: 'success', text: '12 passed' }, t(5), 'system'));
      expect(statuses(decide(green, exit(0)))).toEqual(['succeeded']);
      const red = history(...command({ errorPattern: 'FAIL' }), cmd('session.record_output_match', { runnerId: 'r1', pattern: 'error', text: 'FAIL src/a.spec.ts' }, t(5), 'system'));
      expect(statuses(decide(red, exit(0)))).toEqual(['failed']);
      expect(stateOf(red).status).toBe('working');
    });

    it('an exit after the end, or of a process given up on, changes nothing', () => {
      sut.given(history(spawn(), place(), spawned(), register(), stop({}, t(5)))).when(exit(143, t(6))).then([]);
      const restarting = history(spawn({}, { restart: { mode: 'always', backoffMs: 0, maxBackoffMs: 0, maxRestarts: 1, resetAfterMs: null } }), place(), spawned(), register(), lost('r1', t(5)));
      expect(stateOf(restarting).status).toBe('pending');
      sut.given(restarting).when(exit(137, t(6))).then([]);
    });
  });

  describe('lost runner', () => {
    it('marks the session lost, then restarts it elsewhere per policy (pending, the old process to kill)', () => {
      const events = decide(running({ restart: { mode: 'on-failure', backoffMs: 0, maxBackoffMs: 0, maxRestarts: 3, resetAfterMs: null } }), lost('r1', t(20)));
      expect(statuses(events)).toEqual(['lost', 'pending']);
      expect(timelineKinds(events)).toEqual(['error', 'restarted']);
      expect(find(events, 'session.restart_scheduled')).toMatchObject({ previousRunnerId: 'r1', killProcess: true, notBefore: t(20) });
    });

    it('fails it when the policy does not restart', () => {
      const events = decide(running(), lost());
      expect(statuses(events)).toEqual(['lost', 'failed']);
      expect(find(events, 'session.ended')).toMatchObject({ status: 'failed', reason: 'runner r1 stopped answering; not restarted: restart policy is never' });
    });

    it('ignores a lost runner that is not the session’s, and pending or ended sessions', () => {
      sut.given(running()).when(lost('r2')).then([]);
      sut.given(history(spawn())).when(lost('r1')).then([]);
      sut.given(history(spawn(), place(), spawned(), register(), exit(0))).when(lost('r1')).then([]);
    });

    it('an agent of a lost session that still reports is told it moved', () => {
      const wasLost = history(spawn({}, { restart: { mode: 'always', backoffMs: 60_000, maxBackoffMs: 60_000, maxRestarts: 1, resetAfterMs: null } }), place(), spawned(), register(), lost());
      expect(stateOf(wasLost).status).toBe('pending');
      sut.given(wasLost).when(register(t(21))).thenThrows('invalid_state', /not placed/);
    });
  });

  describe('stop', () => {
    it('stops a pending session without a process to kill', () => {
      const events = decide(history(spawn()), stop());
      expect(statuses(events)).toEqual(['stopped']);
      expect(find(events, 'session.ended')).toMatchObject({ status: 'stopped', killProcess: false, runnerId: null, reason: 'stopped by user user' });
    });

    it('stops a running one, its process killed, and cascades to live workers', () => {
      const oneDone = history(
        spawn({ role: 'orchestrator' }),
        place(),
        spawned(),
        register(),
        cmd('session.record_worker_spawned', { workerId: 'w1', templateId: 'tpl', taskIds: [] }, t(5), 'system'),
        cmd('session.record_worker_spawned', { workerId: 'w2', templateId: 'tpl', taskIds: [] }, t(6), 'system'),
        cmd('session.record_worker_finished', { workerId: 'w2', status: 'completed' }, t(7), 'system'),
      );
      expect(stateOf(oneDone).workers).toEqual({ w1: 'running', w2: 'completed' });
      expect(find(decide(oneDone, stop({ reason: 'enough' })), 'session.ended')).toMatchObject({ killProcess: true, cascadeTo: ['w1'], reason: 'enough' });
      expect(find(decide(oneDone, stop({ cascade: false })), 'session.ended')).toMatchObject({ cascadeTo: [] });
    });

    it('stopping an ended session changes nothing', () => {
      sut.given(history(spawn(), stop())).when(stop()).then([]);
    });
  });

  it('rejects unknown command types with a validation error', () => {
    try {
      sessionDecider.decide({ ...place(), type: 'session.explode' } as never, stateOf(history(spawn())));
      fail('expected an error');
    } catch (e) {
      expect(isDomainError(e) && e.code).toBe('validation');
    }
  });
});
