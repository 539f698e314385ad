import { names } from '@baton/events';
import { commandSubjectVerdict, runnerActor, runnerCommandSubject } from './command-subject';

const n = names('t1');
const report = (over: Record<string, unknown> = {}) => ({ id: 'system:runner:r1:exit.1', type: 'session.record_exit', actor: runnerActor('r1'), data: { sessionId: 's1', runnerId: 'r1' }, ...over });
const verdict = (subject: string, command = report()) => commandSubjectVerdict(n, 'sessions', subject, command);

describe('commandSubjectVerdict', () => {
  it("takes a service's command on its type's own subject", () => {
    expect(verdict('t1.cmd.sessions.session.record_exit', report({ actor: { kind: 'user', id: 'u1' }, id: 'anything' }))).toEqual({ ok: true, runnerId: null });
  });

  it("takes a runner's report on its `.from.<runnerId>` subject, as that runner", () => {
    expect(runnerCommandSubject(n, 'sessions', 'session.record_exit', 'r1')).toBe('t1.cmd.sessions.session.record_exit.from.r1');
    expect(verdict('t1.cmd.sessions.session.record_exit.from.r1')).toEqual({ ok: true, runnerId: 'r1' });
  });

  it('refuses a body whose type is not the one its subject names', () => {
    // A runner may publish record_exit: the body must not make it a spawn.
    expect(verdict('t1.cmd.sessions.session.record_exit.from.r1', report({ type: 'session.spawn' }))).toMatchObject({ ok: false, reason: expect.stringMatching(/session.spawn command must be sent on t1.cmd.sessions.session.spawn/) });
    expect(verdict('t1.cmd.sessions.runner.register', report())).toMatchObject({ ok: false });
  });

  it('refuses a runner that reports for another runner, under another actor or with an id outside its scope', () => {
    expect(verdict('t1.cmd.sessions.session.record_exit.from.r1', report({ data: { sessionId: 's1', runnerId: 'r2' } }))).toMatchObject({ ok: false, reason: 'runner r1 may not report for runner r2' });
    expect(verdict('t1.cmd.sessions.session.record_exit.from.r1', report({ actor: { kind: 'user', id: 'admin' } }))).toMatchObject({ ok: false, reason: expect.stringMatching(/must have actor runner:r1/) });
    expect(verdict('t1.cmd.sessions.session.record_exit.from.r1', report({ actor: runnerActor('r2') }))).toMatchObject({ ok: false });
    expect(verdict('t1.cmd.sessions.session.record_exit.from.r1', report({ id: 'user:admin:key-1' }))).toMatchObject({ ok: false, reason: expect.stringMatching(/id starting system:runner:r1:/) });
  });

  it('refuses other suffixes', () => {
    expect(verdict('t1.cmd.sessions.session.record_exit.as.r1')).toMatchObject({ ok: false });
    expect(verdict('t1.cmd.sessions.session.record_exit.from.')).toMatchObject({ ok: false });
    expect(verdict('t1.cmd.sessions.session.record_exit.from.r1.x')).toMatchObject({ ok: false });
  });

  it('does without a runnerId in the data (an autopilot merge report names no runner)', () => {
    expect(verdict('t1.cmd.sessions.session.record_exit.from.r1', report({ data: { sessionId: 's1' } }))).toEqual({ ok: true, runnerId: 'r1' });
  });
});
