import { RecordAutopilotMerge, type CommandDataOf, type RunnerMerge } from '@baton/events';
import type { Logger } from '@baton/event-store';
import { MergeConflictError } from '../worktree/merge';
import { BaseUpdateError } from '../worktree/publish';
import type { Worktrees } from '../worktree/worktrees';
import type { Reporter } from './reporter';

export interface AttemptMergeDeps {
  worktrees: Pick<Worktrees, 'merge' | 'get'>;
  reporter: Pick<Reporter, 'send'>;
  logger: Logger;
  /** The attempt's session moved away from this runner (its copy here fenced): its worktree here is not the attempt's work any more. */
  fenced?: (attemptId: string) => boolean;
  /** Another runner may publish the same base between our fetch and our push: try again this often. */
  attempts?: number;
}

type Outcome = CommandDataOf<typeof RecordAutopilotMerge>;

/**
 * The autopilot's merge, on the runner that holds the attempt's worktree: the branch goes
 * into the project's newest base (fetched first) and the base is published to the
 * project's repository, where every runner branches from. A conflict names its files. The
 * answer is a command, its id derived from the request's stream sequence (a redelivered
 * request answers once).
 */
export async function mergeForAutopilot(deps: AttemptMergeDeps, m: RunnerMerge, seq: number): Promise<Outcome['outcome']> {
  const ref = { projectId: m.projectId, taskId: m.taskId, attemptId: m.attemptId, into: m.into };
  const outcome = await merge(deps, m).then(
    (commit): Outcome => ({ ...ref, outcome: 'merged', commit }),
    (e: Error): Outcome =>
      e instanceof MergeConflictError
        ? { ...ref, outcome: 'conflict', files: e.files.slice(0, 1_000), message: e.message.slice(0, 2_000) }
        : { ...ref, outcome: 'failed', message: e.message.slice(0, 2_000) || 'the merge failed' },
  );
  deps.logger[outcome.outcome === 'merged' ? 'info' : 'warn']({ attemptId: m.attemptId, into: m.into, outcome: outcome.outcome }, 'autopilot merge');
  await deps.reporter.send(`merge-${m.attemptId}`, RecordAutopilotMerge, outcome, { id: `merge.${m.attemptId}.${seq}` });
  return outcome.outcome;
}

async function merge(deps: AttemptMergeDeps, m: RunnerMerge): Promise<string> {
  // Fencing (docs/decisions/0026): a copy that was moved away never pushes or merges.
  if (deps.fenced?.(m.attemptId)) throw new Error(`attempt ${m.attemptId} moved to another runner: its copy here was fenced and is not merged`);
  const record = await deps.worktrees.get(m.attemptId);
  if (!record) throw new Error(`this runner holds no worktree for attempt ${m.attemptId} (it may have run on a runner that is gone)`);
  if (record.baseBranch !== m.into) throw new Error(`attempt ${m.attemptId} branched from ${record.baseBranch ?? 'a commit'}, not ${m.into}`);
  const tries = deps.attempts ?? 4;
  for (let i = 1; ; i++) {
    try {
      const result = await deps.worktrees.merge(m.attemptId, { strategy: m.strategy, message: m.message });
      return result.commit;
    } catch (e) {
      const movedOn = e instanceof BaseUpdateError && /moved on meanwhile/.test(e.message);
      if (!movedOn || i >= tries) throw e;
      deps.logger.info({ attemptId: m.attemptId, try: i }, 'the base moved on while merging: merging again on the newest base');
    }
  }
}
