import { MergeTrainCarReturned, MergeTrainCheckStarted, MergeTrainStepRequested, RUNNER_DIRECTED, SpawnSession, FollowUpInAttempt, type DomainEvent } from '@baton/events';
import { recorded } from '@baton/testing';
import { trainCheckReactor, trainFollowUpReactor, trainStepDirective } from './autopilot.reactors';

const project = { type: 'project' as const, id: 'p1' };
const car = { taskId: 't1', attemptId: 'a1', branch: 'baton/task-t1-a1' };
const ev = (e: Parameters<typeof recorded>[1]) => recorded(project, e) as unknown as DomainEvent;

describe('merge-train reactions of the sessions service', () => {
  it('sends a build to the runner that holds the car, as a valid runner message with an id from the event', () => {
    const event = ev(MergeTrainStepRequested({ step: 'build', target: 'main', batchId: 'mt1', car, onto: null, integration: 'squash' }));
    const d = trainStepDirective(event, 'r7');
    expect(d).toMatchObject({ kind: 'message', runnerId: 'r7', msgId: `train-${event.id}` });
    if (d?.kind !== 'message') throw new Error('a message');
    expect(RUNNER_DIRECTED.train.parse(d.data)).toMatchObject({ step: 'build', projectId: 'p1', attemptId: 'a1', onto: null, integration: 'squash' });
    expect(trainStepDirective(event, 'r7')).toEqual(d);
  });

  it('fails the step at once when no runner ever ran the attempt', () => {
    const land = ev(MergeTrainStepRequested({ step: 'land', target: 'main', batchId: 'mt1', car, commit: 'a'.repeat(40), base: 'b'.repeat(40) }));
    const d = trainStepDirective(land, null);
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
});
