import { AttemptDiff, DiffQuery, IdParams, MergeRequest, MergeResult, ReadQuery } from '@baton/contracts';
import { route } from '../route';

const tag = 'review';

/** Served by the runner that holds the attempt's worktree; the gateway proxies. */
export const ReviewRoutes = {
  getAttemptDiff: route({
    tag,
    operationId: 'getAttemptDiff',
    method: 'get',
    path: '/api/attempts/:id/diff',
    summary: "An attempt's changes against its base branch, file by file",
    description: 'Read from the worktree on the runner that holds it (`uncommitted=true` adds what the agent has not committed).',
    params: IdParams,
    query: DiffQuery,
    status: 200,
    response: AttemptDiff,
    errors: [422, 503],
    queries: ['get_attempt', 'list_sessions'],
  }),
  mergeAttempt: route({
    tag,
    idempotent: true,
    operationId: 'mergeAttempt',
    method: 'post',
    path: '/api/attempts/:id/merge',
    summary: "Merge an attempt's branch into its base (squash or merge commit), then finish it as merged",
    description:
      'Atomic on the runner: a conflict changes nothing and answers 409 with the conflicting files in `details.files`. ' +
      'Merging again answers `changed: false`.',
    params: IdParams,
    query: ReadQuery,
    body: MergeRequest,
    status: 200,
    response: MergeResult,
    errors: [409, 422, 503],
    commands: ['task.finish_attempt'],
    queries: ['get_attempt', 'get_task', 'list_sessions'],
  }),
};
