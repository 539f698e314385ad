import type { Logger } from '@baton/event-store';
import { mergeForAutopilot, type AttemptMergeDeps } from './attempt-merge';

const silent = { info() {}, warn() {}, error() {}, debug() {}, child() { return silent; } } as unknown as Logger;
const request = { projectId: 'p1', taskId: 't1', attemptId: 'a1', branch: 'baton/t1-1', into: 'main', strategy: 'squash' as const, message: 'Task t1' };

describe(mergeForAutopilot.name, () => {
  const setup = (fenced: boolean) => {
    const sent: unknown[] = [];
    const merged: string[] = [];
    const deps: AttemptMergeDeps = {
      worktrees: {
        get: async () => ({ baseBranch: 'main' }) as never,
        merge: async (attemptId: string) => (merged.push(attemptId), { commit: 'c0ffee' }) as never,
      },
      reporter: { send: async (_q: string, _d: unknown, data: unknown) => (sent.push(data), 'accepted' as const) },
      logger: silent,
      fenced: (attemptId) => fenced && attemptId === 'a1',
    };
    return { deps, sent, merged };
  };

  it('merges the attempt it holds', async () => {
    const { deps, merged } = setup(false);
    expect(await mergeForAutopilot(deps, request, 7)).toBe('merged');
    expect(merged).toEqual(['a1']);
  });

  it('never merges or pushes an attempt whose copy here was fenced (its session moved away); says so', async () => {
    const { deps, sent, merged } = setup(true);
    expect(await mergeForAutopilot(deps, request, 7)).toBe('failed');
    expect(merged).toEqual([]);
    expect(sent).toEqual([expect.objectContaining({ attemptId: 'a1', outcome: 'failed', message: expect.stringMatching(/fenced/) })]);
  });
});
