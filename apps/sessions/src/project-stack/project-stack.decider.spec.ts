import { projectStackCommands, type NewEvent, type ProjectStackEvent } from '@baton/events';
import { command, deciderSpec, recorded } from '@baton/testing';
import type { z } from 'zod';
import { snapshot } from '../session/__tests__/session-fixtures';
import { projectStackDecider, type ProjectStackCommand } from './project-stack.decider';

const STACK = { type: 'session' as const, id: 'project-p1' };
const defs = new Map(projectStackCommands.map((c) => [c.type as string, c]));
const cmd = (type: ProjectStackCommand['type'], data: Record<string, unknown>) =>
  command(type, (defs.get(type)!.schema as z.ZodType).parse({ projectId: 'p1', ...data })) as ProjectStackCommand;
const step = (sessionId: string, templateId: string) => ({ sessionId, projectId: 'p1', templateId, template: snapshot({ kind: 'command', registration: 'ready_pattern', readyPattern: 'ready' }) });
const open = () => cmd('session.open_project', { steps: [step('db', 'postgres'), step('api', 'server'), step('web', 'vite')] });
const ready = (sessionId: string) => cmd('session.advance_project', { sessionId, outcome: 'ready' });
const ended = (sessionId: string, status = 'stopped') => cmd('session.advance_project', { sessionId, outcome: 'ended', status });
const close = (order: string[] = []) => cmd('session.close_project', { order });

function history(...commands: ProjectStackCommand[]): ProjectStackEvent[] {
  const out: ProjectStackEvent[] = [];
  for (const c of commands) {
    const state = out.reduce(projectStackDecider.evolve, projectStackDecider.initialState());
    out.push(...projectStackDecider.decide(c, state).map((e) => recorded(STACK, e) as ProjectStackEvent));
  }
  return out;
}
const summary = (events: NewEvent[]) =>
  events.map((e) => {
    const d = e.data as { index?: number; sessionId?: string; request?: { sessionId: string } };
    return `${e.type.replace('session.project_', '')}${d.request ? `:${d.request.sessionId}` : d.sessionId ? `:${d.sessionId}` : ''}`;
  });

describe('projectStackDecider: startup in order, shutdown in reverse', () => {
  const sut = deciderSpec(projectStackDecider);

  it('opening spawns the first step only, as a startup session of the project', () => {
    const events = sut.given([]).when(open()).thenEvents();
    expect(summary(events)).toEqual(['open_started', 'step_spawned:db']);
    expect((events[1].data as { request: { origin: unknown } }).request.origin).toEqual({ kind: 'startup', projectId: 'p1', step: 0 });
  });

  it('each step waits for the one before to be ready; the last ready opens the project', () => {
    expect(summary(sut.given(history(open())).when(ready('db')).thenEvents())).toEqual(['step_ready:db', 'step_spawned:api']);
    expect(summary(sut.given(history(open(), ready('db'))).when(ready('api')).thenEvents())).toEqual(['step_ready:api', 'step_spawned:web']);
    expect(summary(sut.given(history(open(), ready('db'), ready('api'))).when(ready('web')).thenEvents())).toEqual(['step_ready:web', 'opened']);
  });

  it('readiness of a step not yet spawned, of another session, or twice, changes nothing', () => {
    sut.given(history(open())).when(ready('web')).then([]);
    sut.given(history(open())).when(ready('ghost')).then([]);
    sut.given(history(open(), ready('db'))).when(ready('db')).then([]);
  });

  it('a step that ends before it is ready fails the opening; later steps never start', () => {
    expect(summary(sut.given(history(open(), ready('db'))).when(ended('api', 'failed')).thenEvents())).toEqual(['open_failed:api', 'step_stopped:api']);
    const failed = history(open(), ready('db'), ended('api', 'failed'));
    sut.given(failed).when(ready('api')).then([]);
    sut.given(failed).when(open()).thenThrows('invalid_state', /close it first/);
  });

  it('refuses to open twice', () => {
    sut.given(history(open())).when(open()).thenThrows('conflict', /opening/);
  });

  it('closing stops the started sessions in reverse startup order, one after the other', () => {
    const up = history(open(), ready('db'), ready('api'), ready('web'));
    expect(summary(sut.given(up).when(close()).thenEvents())).toEqual(['close_started', 'step_stop_requested:web']);
    expect(summary(sut.given(history(...[open(), ready('db'), ready('api'), ready('web'), close()])).when(ended('web')).thenEvents())).toEqual([
      'step_stopped:web',
      'step_stop_requested:api',
    ]);
    const last = history(open(), ready('db'), ready('api'), ready('web'), close(), ended('web'), ended('api'));
    expect(summary(sut.given(last).when(ended('db')).thenEvents())).toEqual(['step_stopped:db', 'closed']);
    expect(sut.given(last).state.phase).toBe('closing');
  });

  it('the shutdown sequence goes first, then the rest in reverse', () => {
    const up = history(open(), ready('db'), ready('api'), ready('web'));
    const [started] = sut.given(up).when(close(['postgres'])).thenEvents();
    expect(started.data).toMatchObject({ order: ['db', 'web', 'api'] });
  });

  it('skips steps that already ended, and a close while opening stops only what started', () => {
    const oneDied = [open(), ready('db'), ready('api'), ready('web'), ended('api', 'failed')];
    expect(summary(sut.given(history(...oneDied)).when(close()).thenEvents())).toEqual(['close_started', 'step_stop_requested:web']);
    expect(summary(sut.given(history(...oneDied, close())).when(ended('web')).thenEvents())).toEqual(['step_stopped:web', 'step_stop_requested:db']);
    expect(summary(sut.given(history(...oneDied, close(), ended('web'))).when(ended('db')).thenEvents())).toEqual(['step_stopped:db', 'closed']);
    expect(summary(sut.given(history(open())).when(close()).thenEvents())).toEqual(['close_started', 'step_stop_requested:db']);
    expect(summary(sut.given(history()).when(close()).thenEvents())).toEqual([]);
  });

  it('a close with nothing running closes at once', () => {
    const allDead = history(open(), ready('db'), ended('db'), ended('api'));
    expect(summary(sut.given(allDead).when(close()).thenEvents())).toEqual(['close_started', 'closed']);
  });
});
