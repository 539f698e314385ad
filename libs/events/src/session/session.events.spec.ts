import { templateSpec } from '../session-template/__tests__/template-spec';
import {
  attemptSeatCommands,
  attemptSeatEvents,
  projectStackCommands,
  projectStackEvents,
  registry,
  runnerCommands,
  runnerEvents,
  RunnerHeartbeatSchema,
  RunnerStartSchema,
  sessionCommands,
  sessionEvents,
  sessionTemplateCommands,
  sessionTemplateEvents,
  SessionRequested,
  SessionTemplateSpecSchema,
  TIMELINE_KINDS,
  TimelineRecorded,
  type EventEnvelope,
} from '../index';

const base = {
  id: '01J0000000000000000000000',
  aggregate: { type: 'session', id: 's1' },
  occurredAt: '2026-01-01T00:00:00.000Z',
  actor: { kind: 'agent', id: 's1' },
  correlationId: 'c1',
  causationId: 'cmd1',
} as const;
const command = (type: string, data: unknown) => ({ id: 'k1', type, actor: { kind: 'user', id: 'u1' }, correlationId: 'k1', issuedAt: base.occurredAt, data });
const spec = templateSpec();
const template = { version: 1, builtIn: false, spec };
const spawn = (o: Record<string, unknown> = {}) => command('session.spawn', { sessionId: 's1', projectId: 'p1', templateId: 'tpl', template, ...o });

describe('sessions catalogue', () => {
  const sut = registry;

  it('registers every session, seat, stack, template and runner event and command', () => {
    for (const e of [...sessionEvents, ...attemptSeatEvents, ...projectStackEvents, ...sessionTemplateEvents, ...runnerEvents]) expect(sut.event(e.type)).toBe(e);
    for (const c of [...sessionCommands, ...attemptSeatCommands, ...projectStackCommands, ...sessionTemplateCommands, ...runnerCommands]) {
      expect(sut.command(c.type)).toBe(c);
      expect(c.service).toBe('sessions');
    }
  });

  it('keeps the timeline vocabulary of DESIGN §1, plus stalled and budget_exceeded', () => {
    expect([...TIMELINE_KINDS]).toEqual([
      'session_started',
      'session_stopped',
      'milestone',
      'task_started',
      'task_completed',
      'task_failed',
      'task_skipped',
      'task_blocked',
      'progress',
      'needs_input',
      'error',
      'output_matched',
      'worker_spawned',
      'worker_finished',
      'restarted',
      'stalled',
      'budget_exceeded',
    ]);
  });

  it('round-trips a request and a timeline entry through encode and decode', () => {
    for (const e of [
      SessionRequested({ projectId: 'p1', templateId: 'tpl', taskIds: ['t1'], attemptId: 'a1', parentSessionId: null, strategy: 'simple', role: 'worker', origin: { kind: 'attempt' } }),
      TimelineRecorded({ kind: 'progress', message: 'half', taskId: 't1', progress: 0.5, metadata: {}, source: 'agent' }),
    ]) {
      const stored = sut.encodeEvent({ ...base, version: 1, ...e } as EventEnvelope);
      expect(sut.decodeEvent(JSON.stringify(stored)).data).toEqual(e.data);
    }
  });

  it('decodes the first draft of session.requested (no origin, name or budget)', () => {
    const old = { ...base, type: 'session.requested', version: 1, data: { projectId: 'p1', templateId: 'tpl', taskIds: [], attemptId: null, parentSessionId: null, strategy: 'simple', role: 'worker' } };
    expect(sut.decodeEvent(old).data).toEqual(old.data);
  });

  it('refuses a timeline entry of a kind outside the vocabulary and progress outside 0..1', () => {
    expect(() => sut.encodeEvent({ ...base, version: 1, type: 'session.timeline_recorded', data: { kind: 'vibes', message: '', taskId: null, progress: null, metadata: {} } } as EventEnvelope)).toThrow(/invalid data/);
    expect(() => sut.encodeEvent({ ...base, version: 1, type: 'session.timeline_recorded', data: { kind: 'progress', message: '', taskId: null, progress: 2, metadata: {} } } as EventEnvelope)).toThrow(/invalid data/);
  });

  it('applies spawn defaults and refuses unknown fields, reserved ids, self-parents and empty queues', () => {
    expect(sut.decodeCommand(spawn()).data).toMatchObject({ taskIds: [], strategy: 'simple', role: 'worker', parentSessionId: null, name: '', runnerLabels: {}, budget: null, prompt: null, origin: { kind: 'manual' } });
    expect(() => sut.decodeCommand(spawn({ status: 'working' }))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(spawn({ sessionId: 'attempt-x' }))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(spawn({ sessionId: 'project-x' }))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(spawn({ sessionId: 's.1' }))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(spawn({ parentSessionId: 's1' }))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(spawn({ strategy: 'queue' }))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(spawn({ taskIds: ['t1', 't1'] }))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(spawn({ attemptId: 'a1' }))).toThrow(/invalid data/);
  });

  it('refuses a spawn whose template would interpolate into argv', () => {
    const bad = { ...template, spec: { ...spec, argv: ['sh', '-c', 'echo {{task.title}}'] } };
    expect(() => sut.decodeCommand(spawn({ template: bad }))).toThrow(/invalid data/);
  });

  it('bounds what agents send: report kinds, progress, usage, text sizes', () => {
    expect(() => sut.decodeCommand(command('session.report', { sessionId: 's1', kind: 'session_stopped' }))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(command('session.report', { sessionId: 's1', kind: 'progress', progress: -0.1 }))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(command('session.report_usage', { sessionId: 's1', inputTokens: -1 }))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(command('session.send_input', { sessionId: 's1', text: '' }))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(command('session.send_input', { sessionId: 's1', text: 'x'.repeat(100_001) }))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(command('session.queue_fail', { sessionId: 's1', reason: '' }))).toThrow(/invalid data/);
    expect(sut.decodeCommand(command('session.report_usage', { sessionId: 's1', outputTokens: 5 })).data).toEqual({
      sessionId: 's1',
      inputTokens: 0,
      outputTokens: 5,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0,
      model: null,
    });
  });

  it('keeps seat and stack ids short enough for their prefixed subject', () => {
    const inAttempt = (attemptId: string) => command('session.spawn_in_attempt', { sessionId: 's1', projectId: 'p1', templateId: 'tpl', template, attemptId, taskId: 't1' });
    expect(() => sut.decodeCommand(inAttempt('a'.repeat(55)))).not.toThrow();
    expect(() => sut.decodeCommand(inAttempt('a'.repeat(56)))).toThrow(/invalid data/);
    expect(() => sut.decodeCommand(command('session.open_project', { projectId: 'p1', steps: [] }))).toThrow(/invalid data/);
  });

  it('validates what the runner is sent and what it puts in its heartbeat', () => {
    expect(RunnerHeartbeatSchema.safeParse({ runnerId: 'r1', at: base.occurredAt, sessions: [{ sessionId: 's1', pid: 1, lastOutputAt: null }] }).success).toBe(true);
    expect(RunnerStartSchema.safeParse({}).success).toBe(false);
    expect(SessionTemplateSpecSchema.safeParse(spec).success).toBe(true);
  });
});
