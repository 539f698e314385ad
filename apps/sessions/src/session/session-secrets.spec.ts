import { SECRET_ENV_MARKER, type NewEvent, type SessionTemplateSpec } from '@baton/events';
import { deciderSpec } from '@baton/testing';
import { cmd, find, history, input, place, register, report, spawn, spawned, t } from './__tests__/session-fixtures';
import { sessionDecider } from './session.decider';

const secretTemplate: Partial<SessionTemplateSpec> = { env: { OPENAI_API_KEY: 'sk-live-1234567', LICENSE: 'licence-L1', MODE: 'fast-mode-on' }, secretEnv: ['LICENSE'] };
const CLEAR = /sk-live-1234567|licence-L1/;
const shown = (events: NewEvent[]) => JSON.stringify(events.filter((e) => e.type !== 'session.template_pinned' && e.type !== 'session.input_sent'));

describe('a session keeps its template’s secret env values out of what it shows', () => {
  const sut = deciderSpec(sessionDecider);

  it('pins the real values: the runner’s start is built from them', () => {
    const events = sut.given([]).when(spawn({}, secretTemplate)).thenEvents();
    expect(find<{ spec: SessionTemplateSpec }>(events, 'session.template_pinned').spec.env.OPENAI_API_KEY).toBe('sk-live-1234567');
  });

  it('cuts them out of a spawn failure’s timeline entry and end reason (a setup script printed them)', () => {
    const placed = history(spawn({}, secretTemplate), place());
    const events = sut
      .given(placed)
      .when(cmd('session.record_spawn_failed', { runnerId: 'r1', error: 'setup script exited with 1: key=sk-live-1234567 lic=licence-L1 mode=fast-mode-on' }, t(2), 'system'))
      .thenEvents();
    expect(shown(events)).not.toMatch(CLEAR);
    expect(find<{ message: string }>(events, 'session.timeline_recorded').message).toBe(
      `runner r1 could not start it: setup script exited with 1: key=${SECRET_ENV_MARKER} lic=${SECRET_ENV_MARKER} mode=fast-mode-on`,
    );
    expect(find<{ reason: string }>(events, 'session.ended').reason).toContain(`key=${SECRET_ENV_MARKER}`);
  });

  it('cuts them out of an agent’s report, but types input exactly as sent', () => {
    const running = history(spawn({}, secretTemplate), place(), spawned(), register());
    const reported = sut.given(running).when(report('milestone', { message: 'using sk-live-1234567' })).thenEvents();
    expect(shown(reported)).not.toMatch(CLEAR);
    expect(find<{ message: string }>(reported, 'session.timeline_recorded').message).toBe(`using ${SECRET_ENV_MARKER}`);
    const typed = sut.given(running).when(input('echo licence-L1\r')).thenEvents();
    expect(find<{ text: string }>(typed, 'session.input_sent').text).toBe('echo licence-L1\r');
  });
});
