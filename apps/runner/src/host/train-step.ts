import { RecordTrainBuild, RecordTrainLand, type CommandDataOf, type RunnerTrain } from '@baton/events';
import type { Logger } from '@baton/event-store';
import { MergeConflictError } from '../worktree/merge';
import { TargetMovedError } from '../worktree/train';
import type { Worktrees } from '../worktree/worktrees';
import type { Reporter } from './reporter';

export interface TrainStepDeps {
  worktrees: Pick<Worktrees, 'trainBuild' | 'trainLand'>;
  reporter: Pick<Reporter, 'send'>;
  logger: Logger;
  /** The attempt's session moved away from this runner (its copy here fenced): its branch here is not the attempt's work any more. */
  fenced?: (attemptId: string) => boolean;
}

/**
 * A merge-train step (docs/decisions/0030) on the runner holding the car's branch. The answer is a
 * command whose id derives from the request's stream sequence: a redelivered request answers once.
 */
export async function runTrainStep(deps: TrainStepDeps, m: RunnerTrain, seq: number): Promise<string> {
  const ref = { projectId: m.projectId, target: m.target, batchId: m.batchId };
  const id = `train.${m.batchId}.${m.step}.${m.attemptId}.${seq}`;
  const refused = deps.fenced?.(m.attemptId) ? `attempt ${m.attemptId} moved to another runner: its copy here was fenced and is not used` : null;
  if (m.step === 'build') {
    const outcome = await (refused ? Promise.reject(new Error(refused)) : deps.worktrees.trainBuild(m.attemptId, m)).then(
      (r): CommandDataOf<typeof RecordTrainBuild> => ({ ...ref, attemptId: m.attemptId, outcome: 'built', commit: r.commit, base: r.base }),
      (e: Error): CommandDataOf<typeof RecordTrainBuild> =>
        e instanceof MergeConflictError
          ? { ...ref, attemptId: m.attemptId, outcome: 'conflict', files: e.files.slice(0, 1_000), message: e.message.slice(0, 2_000) }
          : { ...ref, attemptId: m.attemptId, outcome: 'failed', message: e.message.slice(0, 2_000) || 'the build failed' },
    );
    deps.logger[outcome.outcome === 'built' ? 'info' : 'warn']({ batchId: m.batchId, attemptId: m.attemptId, outcome: outcome.outcome }, 'merge train: build');
    await deps.reporter.send(`train-${m.attemptId}`, RecordTrainBuild, outcome, { id });
    return outcome.outcome;
  }
  const outcome = await (refused ? Promise.reject(new Error(refused)) : deps.worktrees.trainLand(m.attemptId, m)).then(
    (): CommandDataOf<typeof RecordTrainLand> => ({ ...ref, outcome: 'landed', commit: m.commit }),
    (e: Error): CommandDataOf<typeof RecordTrainLand> =>
      e instanceof TargetMovedError ? { ...ref, outcome: 'moved', message: e.message.slice(0, 2_000) } : { ...ref, outcome: 'failed', message: e.message.slice(0, 2_000) || 'landing failed' },
  );
  deps.logger[outcome.outcome === 'landed' ? 'info' : 'warn']({ batchId: m.batchId, target: m.target, outcome: outcome.outcome }, 'merge train: land');
  await deps.reporter.send(`train-${m.attemptId}`, RecordTrainLand, outcome, { id });
  return outcome.outcome;
}
