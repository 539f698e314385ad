import type { AttemptDiff, MergeResult } from '@baton/contracts';
import { consistency } from '../../../api/consistency';
import { api, command, read } from '../../../api/http';

export const reviewApi = {
  diff: (attemptId: string, uncommitted: boolean, signal?: AbortSignal) => read<AttemptDiff>(api`/api/attempts/${attemptId}/diff`, { uncommitted: String(uncommitted) }, signal),
  async merge(attemptId: string, strategy: 'squash' | 'merge', message?: string): Promise<MergeResult> {
    const r = await command<MergeResult & { seq?: number }>('POST', api`/api/attempts/${attemptId}/merge`, message ? { strategy, message } : { strategy });
    if (r.finished) consistency.observe(r.finished.seq);
    return r;
  },
};
