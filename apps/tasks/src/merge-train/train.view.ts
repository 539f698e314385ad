import type { RecordedEvent } from '@baton/events';
import type { MergeTrainStatus, MergeTrainView } from '@baton/contracts';
import type { ProjectAggregateState } from '../task-graph/project-aggregate.decider';

/*
 * What a person reads of the merge train (`baton merge-train status`, the web's train panel):
 * the state folded by the aggregate, plus what only the log's envelopes know — when each car
 * joined, when the batch started, the cars sent back and the last batches' outcomes.
 */

const RECENT_BATCHES = 20;
const RETURNED_KEPT = 200;

export interface TrainTimes {
  joinedAt: Map<string, string>;
  batchStartedAt: Map<string, { at: string; number: number }>;
  returned: Map<string, MergeTrainView['returned'][number] & { target: string }>;
  recent: (MergeTrainView['recent'][number] & { target: string })[];
}

export const initialTrainTimes = (): TrainTimes => ({ joinedAt: new Map(), batchStartedAt: new Map(), returned: new Map(), recent: [] });

export const copyTrainTimes = (t: TrainTimes): TrainTimes => ({ joinedAt: new Map(t.joinedAt), batchStartedAt: new Map(t.batchStartedAt), returned: new Map(t.returned), recent: [...t.recent] });

/** Folds one event's times into `t` (in place: `copyTrainTimes` first). */
export function foldTrainTimes(t: TrainTimes, e: RecordedEvent): void {
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case 'project.merge_train_joined':
      t.joinedAt.set(d.attemptId as string, e.occurredAt);
      t.returned.delete(d.attemptId as string);
      return;
    case 'project.merge_train_batch_started':
      t.batchStartedAt.set(d.batchId as string, { at: e.occurredAt, number: d.number as number });
      return;
    case 'project.merge_train_car_returned': {
      const r = e.data as Omit<MergeTrainView['returned'][number], 'at'> & { target: string };
      t.returned.set(r.attemptId, { taskId: r.taskId, attemptId: r.attemptId, branch: r.branch, why: r.why, files: r.files, checkSessionId: r.checkSessionId, message: r.message, round: r.round, toPerson: r.toPerson, at: e.occurredAt, target: r.target });
      if (t.returned.size > RETURNED_KEPT) t.returned.delete(t.returned.keys().next().value as string);
      t.joinedAt.delete(r.attemptId);
      return;
    }
    case 'project.merge_train_car_left':
      t.joinedAt.delete(d.attemptId as string);
      t.returned.delete(d.attemptId as string);
      return;
    case 'project.task_attempt_finished':
      t.returned.delete(d.attemptId as string);
      t.joinedAt.delete(d.attemptId as string);
      return;
    case 'project.merge_train_batch_ended': {
      const batchId = d.batchId as string;
      t.recent = [...t.recent, { target: d.target as string, batchId, number: t.batchStartedAt.get(batchId)?.number ?? null, outcome: d.outcome as string, commit: (d.commit as string | null) ?? null, reason: d.reason as string, at: e.occurredAt }].slice(-RECENT_BATCHES);
      t.batchStartedAt.delete(batchId);
      return;
    }
    default:
      return;
  }
}

/** One line per train event for the autopilot's decision log. */
export function summarizeTrain(e: RecordedEvent): { taskId: string | null; summary: string } | null {
  const d = e.data as Record<string, unknown>;
  const taskId = typeof d.taskId === 'string' ? d.taskId : null;
  switch (e.type) {
    case 'project.merge_train_configured':
      return { taskId, summary: `merge train: ${d.integration}, check ${d.checkCommand ? JSON.stringify(d.checkCommand) : 'none'}, batches of up to ${d.maxBatch}, ${d.maxFixRounds} fix rounds by the ${d.fixer}` };
    case 'project.merge_train_joined':
      return { taskId, summary: `joined the ${d.target} train: ${d.reason}` };
    case 'project.merge_train_batch_started':
      return { taskId: null, summary: `${d.target} batch ${d.number}${d.bisecting ? ' (half of a failed batch)' : ''}: ${(d.cars as unknown[]).length} car(s)` };
    case 'project.merge_train_check_started':
      return { taskId: null, summary: `checking ${d.target} batch at ${String(d.commit).slice(0, 12)} in session ${d.sessionId}` };
    case 'project.merge_train_check_finished':
      return { taskId: null, summary: `check ${d.passed ? 'passed' : 'FAILED'}: ${d.summary}` };
    case 'project.merge_train_car_returned':
      return { taskId, summary: `sent back to ${d.toPerson ? 'a person' : 'its agent'} (round ${d.round}): ${d.message}` };
    case 'project.merge_train_car_deferred':
      return { taskId: null, summary: String(d.reason) };
    case 'project.merge_train_batch_ended':
      return { taskId: null, summary: `${d.target} batch ${d.outcome}: ${d.reason}` };
    default:
      return null;
  }
}

export function mergeTrainView(projectId: string, state: ProjectAggregateState, times: TrainTimes, seq: number): MergeTrainStatus {
  const { train } = state.autopilot;
  const tasks = state.graph.tasks;
  const targets = new Set([...train.trains.keys(), ...[...times.returned.values()].map((r) => r.target)]);
  const trains: MergeTrainView[] = [...targets].sort().map((target) => {
    const t = train.trains.get(target) ?? { target, queue: [], batch: null, groups: [] };
    const b = t.batch;
    const inBatch = new Set(b?.cars.map((c) => c.attemptId));
    const nextToBuild = b?.cars.find((c) => !b.built.has(c.attemptId))?.attemptId ?? null;
    const cars = t.queue.map((car, i): MergeTrainView['cars'][number] => {
      const task = tasks.get(car.taskId);
      let state: MergeTrainView['cars'][number]['state'] = 'waiting';
      let why: string;
      if (b && inBatch.has(car.attemptId)) {
        if (b.phase === 'checking') [state, why] = ['checking', `the check runs on batch ${b.number}${b.checkSessionId ? ` (session ${b.checkSessionId})` : ''}`];
        else if (b.phase === 'landing') [state, why] = ['landing', `batch ${b.number} is moving ${target}`];
        else if (b.built.has(car.attemptId)) [state, why] = ['built', `on batch ${b.number}'s result; the rest of the batch is being built`];
        else if (car.attemptId === nextToBuild) [state, why] = ['building', `being put on ${b.built.size ? `batch ${b.number}'s result` : target} on its runner`];
        else why = `in batch ${b.number}, after the cars ahead of it`;
      } else if (b) why = `behind batch ${b.number} (${b.cars.length} car${b.cars.length === 1 ? '' : 's'})`;
      else why = 'next';
      return {
        taskId: car.taskId,
        taskNumber: task?.number ?? null,
        title: task?.title ?? car.taskId,
        attemptId: car.attemptId,
        branch: car.branch,
        position: i + 1,
        state,
        why,
        joinedAt: times.joinedAt.get(car.attemptId) ?? null,
        rounds: train.rounds.get(car.attemptId) ?? 0,
      };
    });
    return {
      target,
      batch: b && { batchId: b.batchId, number: b.number, phase: b.phase, bisecting: b.bisecting, base: b.base, checkSessionId: b.checkSessionId, startedAt: times.batchStartedAt.get(b.batchId)?.at ?? null },
      cars,
      returned: [...times.returned.values()].filter((r) => r.target === target && train.returned.has(r.attemptId)).map(({ target: _t, ...r }) => r),
      groups: t.groups.map((g) => [...g]),
      recent: times.recent.filter((r) => r.target === target).map(({ target: _t, ...r }) => r),
    };
  });
  return { projectId, settings: train.settings, trains, seq };
}
