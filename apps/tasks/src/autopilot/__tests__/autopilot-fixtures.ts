// Commands and story helpers shared by the autopilot specs.
import type { z } from 'zod';
import {
  ConfigureAutopilot,
  ConfigureMergeTrain,
  DispatchReadyTasks,
  MergeAttemptByAutopilot,
  RecordAttemptSessionEnd,
  RecordAutopilotMerge,
  RecordTrainBuild,
  RecordTrainCheck,
  RecordTrainLand,
  RequestAttemptReview,
  type NewEvent,
} from '@baton/events';
import { cmd, stateAfter } from '../../task-graph/__tests__/graph-fixtures';
import { projectAggregateDecider, type ProjectAggregateCommand, type ProjectAggregateEvent } from '../../task-graph/project-aggregate.decider';
import { recorded } from '@baton/testing';

export const p = { projectId: 'p1' };
export const on = (o: Record<string, unknown> = {}) => cmd(ConfigureAutopilot, { ...p, enabled: true, ...o });
export const dispatch = (taskIds: string[] | null = null) => cmd(DispatchReadyTasks, { ...p, taskIds });
export const ended = (taskId: string, attemptId: string, status: 'completed' | 'failed' | 'stopped', sessionId = `s_${attemptId}`) =>
  cmd(RecordAttemptSessionEnd, { ...p, taskId, attemptId, sessionId, status, reason: status === 'failed' ? 'exit 1' : '' });
export const review = (taskId: string, attemptId: string) => cmd(RequestAttemptReview, { ...p, taskId, attemptId });
export const merge = (taskId: string, attemptId: string | null = null) => cmd(MergeAttemptByAutopilot, { ...p, taskId, attemptId });
export const merged = (taskId: string, attemptId: string) => cmd(RecordAutopilotMerge, { ...p, taskId, attemptId, into: 'main', outcome: 'merged', commit: 'abcdef1234' });
export const conflicted = (taskId: string, attemptId: string) =>
  cmd(RecordAutopilotMerge, { ...p, taskId, attemptId, into: 'main', outcome: 'conflict', files: ['SHARED.md'], message: 'CONFLICT (content)' });

/** Decides one command after a history; returns the longer history and what the command decided. */
export function step(given: ProjectAggregateEvent[], c: ProjectAggregateCommand): { events: ProjectAggregateEvent[]; decided: NewEvent[] } {
  const decided = projectAggregateDecider.decide(c, stateAfter(given));
  return { events: [...given, ...decided.map((e) => recorded({ type: 'project', id: 'p1' }, e) as ProjectAggregateEvent)], decided };
}

export function story(given: ProjectAggregateEvent[], ...commands: ProjectAggregateCommand[]): { events: ProjectAggregateEvent[]; last: NewEvent[] } {
  let events = given;
  let last: NewEvent[] = [];
  for (const c of commands) ({ events, decided: last } = step(events, c));
  return { events, last };
}

export const types = (events: NewEvent[]) => events.map((e) => e.type);
export const activeAttempt = (events: ProjectAggregateEvent[], taskId: string) => stateAfter(events).graph.tasks.get(taskId)!.activeAttemptId!;


/* ---- the merge train (docs/decisions/0030) ---- */

/** The train's step requests in `events`, in order. */
export const stepsOf = (events: NewEvent[]) =>
  events
    .filter((e) => e.type === 'project.merge_train_step_requested')
    .map((e) => e.data as { step: 'build' | 'land'; batchId: string; cars?: { attemptId: string }[]; car?: { attemptId: string }; onto?: string | null; land?: boolean; commit?: string; base?: string });
export const built = (batchId: string, attemptId: string, commit: string, base = 'ba5e000', landing: { outcome: 'landed'; commit: string } | null = null) =>
  cmd(RecordTrainBuild, { ...p, target: 'main', batchId, cars: [{ attemptId, outcome: 'built', commit, base }], landing });
export const buildConflict = (batchId: string, attemptId: string, files = ['SHARED.md']) =>
  cmd(RecordTrainBuild, { ...p, target: 'main', batchId, cars: [{ attemptId, outcome: 'conflict', files, message: 'CONFLICT (content)' }] });
/** A runner's answer for several cars at once (and the landing, when it landed them). */
type BuildInput = z.input<typeof RecordTrainBuild.schema>;
export const builtAll = (batchId: string, cars: BuildInput['cars'], landing: BuildInput['landing'] = null) => cmd(RecordTrainBuild, { ...p, target: 'main', batchId, cars, landing });
export const checked = (batchId: string, sessionId: string, passed: boolean, summary = passed ? 'exit 0' : 'exit 1') => cmd(RecordTrainCheck, { ...p, target: 'main', batchId, sessionId, passed, summary });
export const landed = (batchId: string, commit: string) => cmd(RecordTrainLand, { ...p, target: 'main', batchId, outcome: 'landed', commit });
export const moved = (batchId: string) => cmd(RecordTrainLand, { ...p, target: 'main', batchId, outcome: 'moved', message: 'non-fast-forward' });
export const train = (o: Record<string, unknown>) => cmd(ConfigureMergeTrain, { ...p, ...o });
