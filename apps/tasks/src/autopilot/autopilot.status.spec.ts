import type { RecordedEvent } from '@baton/events';
import { create, history } from '../task-graph/__tests__/graph-fixtures';
import { activeAttempt, conflicted, dispatch, ended, merge, merged, on, review, story } from './__tests__/autopilot-fixtures';
import { autopilotStatus, autopilotView, foldAutopilot, initialAutopilotFold } from './autopilot.status';

/** A project's log as the store gives it: every event with its stream position. */
function log(): RecordedEvent[] {
  const base = history(create('goal'), create('x', { parent: 'goal' }), create('y', { parent: 'goal' }), create('z', { parent: 'goal', dependsOn: ['x'] }));
  let { events } = story(base, on(), dispatch());
  const x = activeAttempt(events, 'x');
  const y = activeAttempt(events, 'y');
  events = story(events, review('x', x), merge('x'), conflicted('x', x), ended('y', y, 'failed'), ended('x', x, 'completed', 's_fix'), merged('x', x)).events;
  return events.map((e, i) => ({ ...e, position: { seq: 10 + i, aggregateVersion: i + 1 } }) as RecordedEvent);
}

describe('the autopilot status view', () => {
  it('shows the DAG, the conflict while it stands, and the decisions with their positions', () => {
    const events = log();
    const atConflict = events.findIndex((e) => e.type === 'project.autopilot_needs_input') + 1;
    const during = autopilotStatus('p1', events.slice(0, atConflict));
    expect(during.needsInput).toEqual([expect.objectContaining({ taskId: 'x', files: ['SHARED.md'] })]);
    expect(during.state).toBe('running');

    const after = autopilotStatus('p1', events);
    expect(after.needsInput).toEqual([]);
    expect(after.tasks.find((t) => t.taskId === 'x')).toMatchObject({ status: 'done', failures: 0 });
    expect(after.tasks.find((t) => t.taskId === 'z')).toMatchObject({ dependsOn: ['x'], waitingOn: [] });
    expect(after.decisions.map((d) => d.type)).toContain('project.autopilot_merged');
    expect(after.seq).toBe(events.at(-1)!.position.seq);
  });

  it('continued from any point, a fold gives the same view as folding the whole log at once', () => {
    const events = log();
    const whole = autopilotStatus('p1', events);
    for (let cut = 1; cut <= events.length; cut++) {
      const first = foldAutopilot(initialAutopilotFold(), events.slice(0, cut));
      expect(autopilotView('p1', first)).toEqual(autopilotStatus('p1', events.slice(0, cut)));
      const continued = foldAutopilot(first, events.slice(cut));
      expect(autopilotView('p1', continued)).toEqual(whole);
    }
  });
});
