import {
  SessionTemplateSpecSchema,
  sessionCommands,
  type CommandDefinition,
  type NewEvent,
  type SessionEvent,
  type SessionStatus,
  type SessionTemplateSpec,
  type TemplateSnapshot,
} from '@baton/events';
import { command, recorded } from '@baton/testing';
import type { z } from 'zod';
import { sessionDecider, type SessionCommand } from '../session.decider';
import type { SessionState } from '../session.state';

export const S = { type: 'session' as const, id: 's1' };
export const T0 = Date.parse('2026-01-01T10:00:00.000Z');
/** The instant `sec` seconds after T0. */
export const t = (sec: number) => new Date(T0 + sec * 1000).toISOString();

export function spec(overrides: Partial<SessionTemplateSpec> = {}): SessionTemplateSpec {
  return SessionTemplateSpecSchema.parse({
    name: 'Agent',
    description: '',
    kind: 'agent',
    argv: ['agent'],
    env: {},
    workingDirectory: null,
    autoStart: false,
    restart: { mode: 'never', backoffMs: 1_000, maxBackoffMs: 8_000, maxRestarts: 0, resetAfterMs: null },
    registration: 'agent',
    registrationTimeoutMs: 30_000,
    readyPattern: null,
    successPattern: null,
    errorPattern: null,
    quota: null,
    parsers: [],
    stallAfterMs: null,
    stallAction: 'notify',
    copyFiles: [],
    setupScript: null,
    cleanupScript: null,
    layout: 'tab',
    maxConcurrent: null,
    runnerLabels: {},
    hooks: 'none',
    ...overrides,
  });
}

export const snapshot = (overrides: Partial<SessionTemplateSpec> = {}): TemplateSnapshot => ({ version: 1, builtIn: false, spec: spec(overrides) });

const defs = new Map<string, CommandDefinition>(sessionCommands.map((c) => [c.type, c]));

/** A command as the gateway would send it: parsed by its schema (defaults applied). */
export function cmd<T extends SessionCommand['type']>(type: T, data: Record<string, unknown>, at = t(0), actor: 'user' | 'agent' | 'system' = 'user'): SessionCommand {
  const def = defs.get(type)!;
  return command(type, (def.schema as z.ZodType).parse({ sessionId: 's1', ...data }), { issuedAt: at, actor: { kind: actor, id: actor } }) as SessionCommand;
}

export const spawn = (data: Record<string, unknown> = {}, templ: Partial<SessionTemplateSpec> = {}, at = t(0)) =>
  cmd('session.spawn', { projectId: 'p1', templateId: 'tpl', template: snapshot(templ), ...data }, at);
export const openInAttempt = (data: Record<string, unknown> = {}, templ: Partial<SessionTemplateSpec> = {}, actor: 'user' | 'system' = 'system') =>
  cmd('session.open_in_attempt', { projectId: 'p1', templateId: 'tpl', template: snapshot(templ), attemptId: 'a1', taskIds: ['t1'], ...data }, t(0), actor);
export const place = (runnerId = 'r1', at = t(1)) => cmd('session.place', { runnerId }, at, 'system');
export const spawned = (runnerId = 'r1', at = t(2)) => cmd('session.record_spawned', { runnerId, pid: 4242 }, at, 'system');
export const register = (at = t(3)) => cmd('session.register', { agent: 'claude 1.0' }, at, 'agent');
export const reportStatus = (status: string, at = t(4), message = '') => cmd('session.report_status', { status, message }, at, 'agent');
export const report = (kind: string, data: Record<string, unknown> = {}, at = t(4)) => cmd('session.report', { kind, ...data }, at, 'agent');
export const exit = (exitCode: number | null, at = t(10), runnerId = 'r1', signal: string | null = null) => cmd('session.record_exit', { runnerId, exitCode, signal }, at, 'system');
export const match = (pattern: string, data: Record<string, unknown> = {}, at = t(5), runnerId = 'r1') =>
  cmd('session.record_output_match', { runnerId, pattern, text: 'matched line', ...data }, at, 'system');
export const lost = (runnerId = 'r1', at = t(20)) => cmd('session.mark_lost', { runnerId }, at, 'system');
export const stop = (data: Record<string, unknown> = {}, at = t(30)) => cmd('session.stop', data, at);
export const stall = (lastOutputAt: string | null, at: string) => cmd('session.check_stall', { lastOutputAt }, at, 'system');
export const input = (text: string, data: Record<string, unknown> = {}, at = t(6)) => cmd('session.send_input', { text, ...data }, at);
export const usage = (data: Record<string, unknown>, at = t(7)) => cmd('session.report_usage', data, at, 'agent');

/** Runs commands through the decider, recording what they decide (stamped like the runtime: batch, causation): a `given` that reads as the story it is. */
export function history(...commands: SessionCommand[]): SessionEvent[] {
  const events: SessionEvent[] = [];
  let state = sessionDecider.initialState();
  for (const c of commands) {
    const decided = sessionDecider.decide(c, state);
    for (const [index, e] of decided.entries()) {
      const r = { ...recorded(S, e, c.issuedAt), causationId: c.id, batch: { index, count: decided.length } } as SessionEvent;
      events.push(r);
      state = sessionDecider.evolve(state, r);
    }
  }
  return events;
}

export const stateOf = (events: SessionEvent[]): SessionState => events.reduce(sessionDecider.evolve, sessionDecider.initialState());
export const decide = (given: SessionEvent[], c: SessionCommand): NewEvent[] => sessionDecider.decide(c, stateOf(given));
export const types = (events: NewEvent[]) => events.map((e) => e.type);
/** The statuses a decision moves through, in order. */
export const statuses = (events: NewEvent[]): SessionStatus[] =>
  events.filter((e) => e.type === 'session.status_changed').map((e) => (e.data as { to: SessionStatus }).to);
export const timelineKinds = (events: NewEvent[]) => events.filter((e) => e.type === 'session.timeline_recorded').map((e) => (e.data as { kind: string }).kind);
export const find = <T = Record<string, unknown>>(events: NewEvent[], type: string): T => events.find((e) => e.type === type)?.data as T;

/** Common stories. */
export const running = (templ: Partial<SessionTemplateSpec> = {}, data: Record<string, unknown> = {}) => history(spawn(data, templ), place(), spawned(), register());
export const runningCommand = (templ: Partial<SessionTemplateSpec> = {}) => history(spawn({}, { kind: 'command', registration: 'on_spawn', ...templ }), place(), spawned());
