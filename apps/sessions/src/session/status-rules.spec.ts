import { isDomainError, isFinalStatus, SESSION_STATUSES, type NewEvent, type SessionStatus } from '@baton/events';
import { cmd, exit, input, lost, match, place, register, report, reportStatus, spawn, spawned, stall, stop, t, usage } from './__tests__/session-fixtures';
import { sessionDecider, type SessionCommand } from './session.decider';
import { evolveSession, initialSessionState, type SessionState } from './session.state';
import { acceptSignal, canTransition, ON_RUNNER, PROCESS_BOUND, TRANSITIONS } from './status-rules';

describe('status rules', () => {
  it('final statuses go nowhere; every other status can be stopped', () => {
    for (const s of SESSION_STATUSES) {
      if (isFinalStatus(s)) expect(TRANSITIONS[s]).toEqual([]);
      else expect(canTransition(s, 'stopped')).toBe(true);
    }
  });

  it('follows the DESIGN machine: pending → spawning → idle ⇄ working, lost → pending | failed, or back when reclaimed', () => {
    expect(canTransition('pending', 'spawning')).toBe(true);
    expect(canTransition('pending', 'working')).toBe(false);
    expect(canTransition('spawning', 'idle')).toBe(true);
    expect(canTransition('idle', 'working') && canTransition('working', 'idle')).toBe(true);
    expect(canTransition('working', 'needs_input') && canTransition('needs_input', 'working')).toBe(true);
    expect(canTransition('lost', 'pending') && canTransition('lost', 'failed')).toBe(true);
    // Reclaimed by its runner (docs/decisions/0026): back to what it was; never straight to an ending it did not reach.
    expect(canTransition('lost', 'working') && canTransition('lost', 'idle') && canTransition('lost', 'spawning')).toBe(true);
    expect(canTransition('lost', 'completed') || canTransition('lost', 'exited')).toBe(false);
    expect(canTransition('idle', 'stalled')).toBe(false);
  });

  const live = { status: 'working' as SessionStatus, process: 'running' as const, agentReports: false };
  it.each([
    ['a final status never changes', { ...live, status: 'completed' as SessionStatus }, 'agent', 'working', false, /completed/],
    ['a dead process is never working, whoever says so', { ...live, status: 'idle' as SessionStatus, process: 'exited' as const }, 'agent', 'working', false, /dead/],
    ['nor idle before it runs', { ...live, status: 'spawning' as SessionStatus, process: 'none' as const }, 'agent', 'idle', false, /not running/],
    ['the agent’s report beats output heuristics', { ...live, agentReports: true }, 'output', 'needs_input', false, /reports its own/],
    ['and typing', { ...live, status: 'idle' as SessionStatus, agentReports: true }, 'user', 'working', false, /reports its own/],
    ['output decides for an agent that does not report', live, 'output', 'needs_input', true, null],
    ['the agent itself is always heard', { ...live, agentReports: true }, 'agent', 'needs_input', true, null],
    ['a quota message is heard even from a reporting agent', { ...live, agentReports: true }, 'output', 'waiting_quota', true, null],
    ['the same status is no change', live, 'agent', 'working', false, /already/],
    ['moves outside the machine are refused', { ...live, status: 'pending' as SessionStatus, process: 'none' as const }, 'system', 'completed', false, /cannot become/],
  ] as const)('%s', (_name, state, source, to, accept, why) => {
    const verdict = acceptSignal(state, source, to);
    expect(verdict.accept).toBe(accept);
    if (!verdict.accept && why) expect(verdict.why).toMatch(why);
  });
});

/** A tiny seeded PRNG: the same stories every run. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('invariants over random stories', () => {
  const template = {
    restart: { mode: 'on-failure' as const, backoffMs: 1_000, maxBackoffMs: 4_000, maxRestarts: 2, resetAfterMs: null },
    stallAfterMs: 5_000,
    stallAction: 'restart' as const,
    quota: { pattern: 'limit', resumeInput: 'go\r', defaultWaitMs: 3_000 },
    parsers: [{ name: 'ask', pattern: '\\?$', kind: 'needs_input' as const }],
  };
  const pool = (clock: number): SessionCommand[] => [
    place('r1', t(clock)),
    place('r2', t(clock)),
    spawned('r1', t(clock)),
    spawned('r2', t(clock)),
    register(t(clock)),
    reportStatus('working', t(clock)),
    reportStatus('idle', t(clock)),
    reportStatus('needs_input', t(clock)),
    reportStatus('completed', t(clock)),
    report('progress', { progress: 0.5 }, t(clock)),
    report('task_started', { taskId: 't1' }, t(clock)),
    report('task_completed', { taskId: 't1' }, t(clock)),
    match('parser', { parser: 'ask', text: 'ok?' }, t(clock), 'r1'),
    match('quota', { text: 'limit' }, t(clock), 'r1'),
    exit(0, t(clock), 'r1'),
    exit(1, t(clock), 'r1'),
    exit(1, t(clock), 'r2'),
    lost('r1', t(clock)),
    lost('r2', t(clock)),
    cmd('session.mark_lost', { runnerId: 'r1', holdMs: 5_000 }, t(clock), 'system'),
    cmd('session.reclaim', { runnerId: 'r1', epoch: 1 }, t(clock), 'system'),
    cmd('session.reclaim', { runnerId: 'r2', epoch: 2 }, t(clock), 'system'),
    cmd('session.record_exit', { runnerId: 'r1', epoch: 1, exitCode: 0 }, t(clock), 'system'),
    stall(null, t(clock)),
    cmd('session.check_registration', {}, t(clock), 'system'),
    cmd('session.resume_after_quota', {}, t(clock), 'system'),
    cmd('session.record_spawn_failed', { runnerId: 'r1', error: 'full', retryable: true }, t(clock), 'system'),
    input('hi', {}, t(clock)),
    usage({ costUsd: 0.4 }, t(clock)),
    stop({}, t(clock)),
  ];

  it('never breaks the machine, never shows a live status without a process, ends exactly once', () => {
    const random = prng(42);
    let decisions = 0;
    const visited = new Set<SessionStatus>();
    for (let story = 0; story < 200; story++) {
      let state: SessionState = initialSessionState();
      let clock = 0;
      let ended = 0;
      const apply = (events: NewEvent[], at: string) => {
        for (const e of events) {
          if (e.type === 'session.status_changed') {
            const { from, to } = e.data as { from: SessionStatus; to: SessionStatus };
            expect(from).toBe(state.status);
            expect(canTransition(from, to)).toBe(true);
          }
          if (e.type === 'session.ended') ended++;
          state = evolveSession(state, e as never, at);
        }
        visited.add(state.status);
        // What anyone can observe: the state after a whole decision (one atomic append).
        if (PROCESS_BOUND.has(state.status)) expect(state.process).toBe('running');
        if (ON_RUNNER.has(state.status) && state.status !== 'lost') expect(state.runnerId).not.toBeNull();
      };
      const first = spawn({ taskIds: ['t1'], budget: { maxCostUsd: 1, maxTokens: null } }, { ...template, stallAction: story % 2 ? 'restart' : 'notify' });
      apply(sessionDecider.decide(first, state), first.issuedAt);
      for (let step = 0; step < 40; step++) {
        clock += Math.floor(random() * 9_000) / 1000;
        const options = pool(clock);
        const c = options[Math.floor(random() * options.length)];
        const wasFinal = isFinalStatus(state.status);
        try {
          const events = sessionDecider.decide(c, state);
          decisions++;
          if (wasFinal) expect(events.filter((e) => e.type === 'session.status_changed')).toEqual([]);
          apply(events, c.issuedAt);
        } catch (e) {
          if (!isDomainError(e)) throw e;
        }
      }
      expect(ended).toBe(isFinalStatus(state.status) ? 1 : 0);
    }
    expect(decisions).toBeGreaterThan(2_000);
    expect([...visited].sort()).toEqual(
      expect.arrayContaining(['pending', 'spawning', 'idle', 'working', 'needs_input', 'stalled', 'waiting_quota', 'completed', 'failed', 'stopped']),
    );
  });
});
