import { RecordTrainBuild, RecordTrainLand, type CommandDataOf, type RunnerTrain } from '@baton/events';
import type { Logger } from '@baton/event-store';
import type { Worktrees } from '../worktree/worktrees';
import type { Reporter } from './reporter';

export interface TrainStepDeps {
  worktrees: Pick<Worktrees, 'trainBuild' | 'trainLand'>;
  reporter: Pick<Reporter, 'send'>;
  logger: Logger;
  /** The attempt's session moved away from this runner (its copy here fenced): its branch here is not the attempt's work any more. */
  fenced?: (attemptId: string) => boolean;
}

const FENCED = (attemptId: string) => `attempt ${attemptId} moved to another runner: its copy here was fenced and is not used`;

/**
 * A merge-train step (docs/decisions/0030) on the runner holding the cars' branches. The answer is
 * a command whose id derives from the request's stream sequence: a redelivered request answers once.
 */
export async function runTrainStep(deps: TrainStepDeps, m: RunnerTrain, seq: number): Promise<string> {
  const step = { projectId: m.projectId, target: m.target, batchId: m.batchId };
  if (m.step === 'build') {
    const cars = m.cars.map((c) => ({
      attemptId: c.attemptId,
      branch: c.branch,
      message: `${c.branch} (task ${c.taskId})\n\nLanded by the Baton merge train, batch ${m.batchId}.`,
      ...(deps.fenced?.(c.attemptId) ? { refused: FENCED(c.attemptId) } : {}),
    }));
    const answer = await deps.worktrees.trainBuild({ target: m.target, batchId: m.batchId, cars, onto: m.onto, integration: m.integration, land: m.land }).then(
      (r): CommandDataOf<typeof RecordTrainBuild> => ({ ...step, cars: r.cars, landing: r.landing }),
      // The step could not run at all (no worktree for its first car, the fetch failed): its first car fails, the rest are asked for again.
      (e: Error): CommandDataOf<typeof RecordTrainBuild> => ({ ...step, cars: [{ attemptId: m.cars[0].attemptId, outcome: 'failed', message: e.message.slice(0, 2_000) || 'the build failed' }], landing: null }),
    );
    const outcomes = answer.cars.map((c) => c.outcome);
    deps.logger[outcomes.every((o) => o === 'built') ? 'info' : 'warn']({ batchId: m.batchId, cars: outcomes, landing: answer.landing?.outcome ?? null }, 'merge train: build');
    await deps.reporter.send(`train-${m.batchId}`, RecordTrainBuild, answer, { id: `train.${m.batchId}.build.${m.cars[0].attemptId}.${seq}` });
    return answer.landing?.outcome ?? outcomes.join(',');
  }
  const landing = deps.fenced?.(m.car.attemptId)
    ? { outcome: 'failed' as const, message: FENCED(m.car.attemptId) }
    : await deps.worktrees.trainLand(m.car.attemptId, m).catch((e: Error) => ({ outcome: 'failed' as const, message: e.message.slice(0, 2_000) || 'landing failed' }));
  const outcome: CommandDataOf<typeof RecordTrainLand> = { ...step, ...landing };
  deps.logger[outcome.outcome === 'landed' ? 'info' : 'warn']({ batchId: m.batchId, target: m.target, outcome: outcome.outcome }, 'merge train: land');
  await deps.reporter.send(`train-${m.batchId}`, RecordTrainLand, outcome, { id: `train.${m.batchId}.land.${seq}` });
  return outcome.outcome;
}
