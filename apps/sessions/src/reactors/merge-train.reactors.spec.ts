import { SessionEnded, MergeTrainCarReturned, MergeTrainCheckStarted, MergeTrainStepRequested, RUNNER_DIRECTED, SpawnSession, FollowUpInAttempt, type DomainEvent } from '@baton/events';
import { recorded } from '@baton/testing';
import { outputTail, trainCheckReactor, trainCheckVerdict, trainFollowUpReactor, trainStepDirective } from './autopilot.reactors';

const project = { type: 'project' as const, id: 'p1' };
const car = { taskId: 't1', attemptId: 'a1', branch: 'baton/task-t1-a1' };
const ev = (e: Parameters<typeof recorded>[1]) => recorded(project, e) as unknown as DomainEvent;

describe('merge-train reactions of the sessions service', () => {
  it('sends a build to the runner that holds the cars, as a valid runner message with an id from the event', () => {
    const event = ev(MergeTrainStepRequested({ step: 'build', target: 'main', batchId: 'mt1', cars: [car], onto: null, integration: 'squash', land: true }));
    const d = trainStepDirective(event, new Map([['a1', 'r7']]));
    expect(d).toMatchObject({ kind: 'message', runnerId: 'r7', msgId: `train-${event.id}` });
    if (d?.kind !== 'message') throw new Error('a message');
    expect(RUNNER_DIRECTED.train.parse(d.data)).toMatchObject({ step: 'build', projectId: 'p1', cars: [car], onto: null, integration: 'squash', land: true });
    expect(trainStepDirective(event, new Map([['a1', 'r7']]))).toEqual(d);
  });

  it('takes the run of cars on the first car\'s runner, and lands only when that is all of them', () => {
    const cars = [car, { taskId: 't2', attemptId: 'a2', branch: 'b2' }, { taskId: 't3', attemptId: 'a3', branch: 'b3' }];
    const event = ev(MergeTrainStepRequested({ step: 'build', target: 'main', batchId: 'mt1', cars, onto: 'f'.repeat(40), integration: 'rebase', land: true }));
    const split = trainStepDirective(event, new Map([['a1', 'r1'], ['a2', 'r1'], ['a3', 'r2']]));
    expect(split).toMatchObject({ kind: 'message', runnerId: 'r1', data: { cars: cars.slice(0, 2), land: false, onto: 'f'.repeat(40) } });
    expect(trainStepDirective(event, new Map([['a1', 'r1'], ['a2', 'r1'], ['a3', 'r1']]))).toMatchObject({ data: { cars, land: true } });
  });

  it('fails the step at once when no runner ever ran the attempt', () => {
    const build = ev(MergeTrainStepRequested({ step: 'build', target: 'main', batchId: 'mt1', cars: [car], onto: null, integration: 'squash', land: true }));
    expect(trainStepDirective(build, new Map())).toMatchObject({ kind: 'command', command: { type: 'merge_train.record_build', data: { cars: [{ attemptId: 'a1', outcome: 'failed', message: expect.stringContaining('no runner') }] } } });
    const land = ev(MergeTrainStepRequested({ step: 'land', target: 'main', batchId: 'mt1', car, commit: 'a'.repeat(40), base: 'b'.repeat(40) }));
    const d = trainStepDirective(land, new Map([['a1', null]]));
    expect(d).toMatchObject({ kind: 'command', command: { type: 'merge_train.record_land', data: { outcome: 'failed', batchId: 'mt1', message: expect.stringContaining('no runner') } } });
  });

  it("spawns the check as a command session in a checkout of the batch's result", () => {
    const commit = 'c'.repeat(40);
    const [spawn] = trainCheckReactor(ev(MergeTrainCheckStarted({ target: 'main', batchId: 'mt1', sessionId: 'ck1', commit, command: 'npm test', timeoutSeconds: 600 })));
    const data = SpawnSession.schema.parse(spawn.data);
    expect(data).toMatchObject({ sessionId: 'ck1', projectId: 'p1', origin: { kind: 'merge_check', target: 'main', batchId: 'mt1', commit } });
    expect(data.template.spec).toMatchObject({ kind: 'command', argv: ['timeout', '--kill-after=30', '600', 'sh', '-c', 'npm test'], restart: { mode: 'never' } });
  });

  it('a car sent back to its agent becomes a follow-up naming the git steps; one sent to a person does not', () => {
    const returned = (o: Partial<Parameters<typeof MergeTrainCarReturned>[0]>) =>
      ev(MergeTrainCarReturned({ ...car, target: 'main', batchId: 'mt1', why: 'conflict', files: ['SHARED.md'], checkSessionId: null, message: 'conflicts', round: 1, toPerson: false, ...o }));
    const [follow] = trainFollowUpReactor(returned({}));
    const data = FollowUpInAttempt.schema.parse(follow.data);
    expect(data).toMatchObject({ attemptId: 'a1', taskId: 't1', kind: 'follow_up' });
    expect(data.text).toContain('run `git merge main`');
    expect(data.text).toContain('  - SHARED.md');
    const [check] = trainFollowUpReactor(returned({ why: 'check_failed', files: [], checkSessionId: 'ck1', message: 'the check failed: exit code 1' }));
    expect((check.data as { text: string }).text).toMatch(/check failed \(session ck1\)[\s\S]*exit code 1/);
    expect(trainFollowUpReactor(returned({ toPerson: true }))).toEqual([]);
  });

  it("records a check's verdict from its exit code, with the end of its output when it failed", () => {
    const ended = (exitCode: number | null, status: 'exited' | 'stopped' = 'exited') =>
      recorded({ type: 'session', id: 'ck1' }, SessionEnded({ status, reason: 'exited with code 1', exitCode, runnerId: 'r1', killProcess: false, cascadeTo: [], projectId: 'p1', attemptId: null, taskIds: [], parentSessionId: null, origin: { kind: 'merge_check', target: 'main', batchId: 'mt1', commit: 'c'.repeat(40) } })) as unknown as DomainEvent;
    const [failed] = trainCheckVerdict(ended(1), '3 tests failed');
    expect(failed).toMatchObject({ type: 'merge_train.record_check', data: { projectId: 'p1', target: 'main', batchId: 'mt1', sessionId: 'ck1', passed: false, summary: 'exit code 1; the end of its output:\n3 tests failed' } });
    expect(trainCheckVerdict(ended(0), 'all good')[0].data).toMatchObject({ passed: true, summary: 'exit code 0' });
    expect(trainCheckVerdict(ended(0, 'stopped'), '')[0].data).toMatchObject({ passed: false });
    expect(trainCheckVerdict(ended(null, 'stopped'), '')[0].data).toMatchObject({ passed: false, summary: 'stopped: exited with code 1' });
  });

  it("keeps the last lines of a terminal's output as plain text", () => {
    expect(outputTail('\u001b[31mFAIL\u001b[0m a.spec.ts\r\n  expected 1\r\n\r\n')).toBe('FAIL a.spec.ts\n  expected 1');
    expect(outputTail(Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n'), 3)).toBe('line 97\nline 98\nline 99');
    expect(outputTail('x'.repeat(5_000)).length).toBeLessThanOrEqual(1_401);
  });
});
