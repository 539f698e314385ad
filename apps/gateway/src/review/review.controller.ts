import { Controller, Inject } from '@nestjs/common';
import { FinishAttempt, type Actor } from '@baton/events';
import { QueryClient } from '@baton/event-store';
import type { AttemptDiff, AttemptView, FileDiff, MergeResult, Page, SessionView, TaskView } from '@baton/contracts';
import { CurrentActor } from '../auth/auth.decorators';
import { ApiError } from '../http/api-error';
import { CommandSender, subKey } from '../openapi/edge';
import type { BodyOf, ParamsOf, QueryOf } from '../openapi/route';
import { IdemKey, Route, RouteBody, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { ReviewRoutes as R } from '../openapi/routes/review.routes';
import { RunnerClient } from './runner-client';

interface RunnerMerge {
  commit: string;
  previousCommit: string;
  changed: boolean;
}

/**
 * The attempt's git side, proxied to the runner that holds its worktree: the tasks service
 * knows it once the runner recorded the workspace; until then, the runner its latest
 * session ran on.
 */
@Controller()
export class ReviewController {
  constructor(
    @Inject(QueryClient) private readonly queries: QueryClient,
    @Inject(RunnerClient) private readonly runners: RunnerClient,
    @Inject(CommandSender) private readonly commands: CommandSender,
  ) {}

  @Route(R.getAttemptDiff)
  async diff(@RouteParams(R.getAttemptDiff) p: ParamsOf<typeof R.getAttemptDiff>, @RouteQuery(R.getAttemptDiff) q: QueryOf<typeof R.getAttemptDiff>): Promise<AttemptDiff> {
    const { runnerId } = await this.locate(p.id, q.minSeq);
    const answer = await this.runners.call<{ attemptId: string; files: FileDiff[] }>(runnerId, 'GET', `/attempts/${p.id}/diff?uncommitted=${q.uncommitted}`);
    return { attemptId: p.id, runnerId, files: answer.files };
  }

  /** Merge on the runner (atomic there), then finish the attempt as merged — a resend with the same key completes what a failure interrupted. */
  @Route(R.mergeAttempt)
  async merge(
    @RouteParams(R.mergeAttempt) p: ParamsOf<typeof R.mergeAttempt>,
    @RouteQuery(R.mergeAttempt) q: QueryOf<typeof R.mergeAttempt>,
    @RouteBody(R.mergeAttempt) body: BodyOf<typeof R.mergeAttempt>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<MergeResult> {
    const { strategy = 'squash', message, author, finishAttempt = true } = body ?? {};
    const { attempt, runnerId } = await this.locate(p.id, q.minSeq);
    if (attempt.status === 'abandoned' || attempt.status === 'superseded') {
      throw new ApiError(422, 'invalid_state', `attempt ${p.id} is ${attempt.status}: nothing to merge`, { details: { attemptId: p.id, status: attempt.status } });
    }
    const commitMessage = message ?? (await this.defaultMessage(attempt, q.minSeq));
    const merged = await this.runners.call<RunnerMerge>(runnerId, 'POST', `/attempts/${p.id}/merge`, { strategy, message: commitMessage, ...(author ? { author } : {}) });
    let finished = null;
    if (finishAttempt) {
      const ctx = { actor, key: subKey({ actor, key }, 'finish') };
      const data = { projectId: attempt.projectId, taskId: attempt.taskId, attemptId: p.id, outcome: 'merged', reason: `merged as ${merged.commit.slice(0, 12)} (${strategy})` };
      finished = await this.commands.send(FinishAttempt, data, ctx, p.id);
    }
    return { attemptId: p.id, runnerId, commit: merged.commit, previousCommit: merged.previousCommit, changed: merged.changed, finished };
  }

  private async locate(attemptId: string, minSeq: number): Promise<{ attempt: AttemptView; runnerId: string }> {
    const attempt = await this.queries.ask<AttemptView>('tasks', 'get_attempt', { id: attemptId }, { minSeq });
    let runnerId = attempt.runnerId;
    if (!runnerId) {
      const page = await this.queries.ask<Page<SessionView>>('sessions', 'list_sessions', { attemptId, limit: 1 }, { minSeq });
      runnerId = page.items[0]?.runnerId ?? page.items[0]?.lastRunnerId ?? null;
    }
    if (!runnerId) {
      throw new ApiError(422, 'invalid_state', `attempt ${attemptId} has no worktree on any runner yet: start a session in it first`, { details: { attemptId } });
    }
    return { attempt, runnerId };
  }

  private async defaultMessage(attempt: AttemptView, minSeq: number): Promise<string> {
    const task = await this.queries.ask<TaskView>('tasks', 'get_task', { id: attempt.taskId }, { minSeq });
    return `${task.title}\n\nBaton task ${attempt.taskId}, attempt ${attempt.number} (${attempt.id}), branch ${attempt.branch}`;
  }
}
