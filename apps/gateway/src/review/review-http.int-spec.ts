import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AttemptDiff, AttemptView, MergeResult, RunnerList, RunnerView, TaskView } from '@baton/contracts';
import { errorOf } from '../openapi/__tests__/api-harness';
import { FakeRunner, startSessionsApi, type SessionsApi } from '../sessions/__tests__/sessions-api';

const RUNNER_SECRET = 'runner-secret-for-the-int-spec';

/** Answers like apps/runner/src/http: diff and merge of the attempts it holds, behind X-Baton-Runner-Secret. */
function fakeRunnerHttp(holds: Set<string>, conflicts: Set<string>) {
  const seen: { method: string; url: string; secret: string | undefined; body: unknown }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const secret = req.headers['x-baton-runner-secret'] as string | undefined;
      seen.push({ method: req.method!, url: req.url!, secret, body: raw ? JSON.parse(raw) : undefined });
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (secret !== RUNNER_SECRET) return send(401, { error: { code: 'unauthorized', message: 'missing or wrong x-baton-runner-secret header' } });
      const m = /^\/attempts\/([^/?]+)\/(diff|merge)/.exec(req.url!);
      if (!m || !holds.has(m[1])) return send(404, { error: { code: 'not_found', message: `attempt ${m?.[1]} has no worktree on this runner` } });
      if (m[2] === 'diff') {
        return send(200, {
          attemptId: m[1],
          files: [
            {
              path: 'README.md',
              oldPath: null,
              status: 'modified',
              binary: false,
              additions: 1,
              deletions: 0,
              hunks: [{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 2, section: '', lines: [{ kind: 'context', text: '# Demo', oldLine: 1, newLine: 1 }, { kind: 'add', text: 'More.', newLine: 2 }] }],
            },
          ],
        });
      }
      if (conflicts.has(m[1])) return send(409, { error: { code: 'merge_conflict', message: 'merging b into main conflicts in README.md, src/a.ts', details: { files: ['README.md', 'src/a.ts'] } } });
      return send(200, { attemptId: m[1], commit: 'c0ffee'.padEnd(40, '0'), previousCommit: 'beef'.padEnd(40, '0'), changed: true });
    });
  });
  return { server, seen };
}

describe('review over REST: diff and merge proxied to the runner holding the worktree; runners with liveness', () => {
  let api: SessionsApi;
  let http: Server;
  let seen: ReturnType<typeof fakeRunnerHttp>['seen'];
  let runner: FakeRunner;
  let projectId: string;
  const holds = new Set<string>();
  const conflicts = new Set<string>();
  const runnerId = `rv${Date.now().toString(36)}`;

  beforeAll(async () => {
    const fake = fakeRunnerHttp(holds, conflicts);
    http = fake.server;
    seen = fake.seen;
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    api = await startSessionsApi({ gatewayEnv: { BATON_RUNNER_URLS: `${runnerId}=${url},unreachable=http://127.0.0.1:1`, BATON_RUNNER_SECRET: RUNNER_SECRET } });
    runner = await new FakeRunner(api, runnerId).start(2);
    projectId = await api.project('Review');
  }, 90_000);
  afterAll(async () => {
    runner?.close();
    await api?.close();
    await new Promise((r) => http?.close(r));
  });

  /** An attempt whose worktree `runner` prepared (as apps/runner records it). */
  const attemptOn = async (title: string, on = runnerId) => {
    const taskId = (await api.accepted('POST', `/api/projects/${projectId}/tasks`, { title }, 201)).id;
    const attemptId = (await api.accepted('POST', `/api/tasks/${taskId}/attempts`, {}, 201)).id;
    const recorded = await api.send('task.record_attempt_workspace', { projectId, taskId, attemptId, baseCommit: 'abc1234', worktreePath: `/w/${attemptId}`, runnerId: on }, runner.actor);
    holds.add(attemptId);
    return { taskId, attemptId, seq: recorded.seq };
  };

  it("serves an attempt's diff from its runner, sending the runner secret", async () => {
    const { attemptId, seq } = await attemptOn('Diff me');
    const res = await api.call('GET', `/api/attempts/${attemptId}/diff?uncommitted=true&minSeq=${seq}`);
    expect(res.status).toBe(200);
    const diff = AttemptDiff.parse(res.body);
    expect(diff).toMatchObject({ attemptId, runnerId, files: [{ path: 'README.md', additions: 1 }] });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: `/attempts/${attemptId}/diff?uncommitted=true`, secret: RUNNER_SECRET });
  });

  it('merges, then finishes the attempt as merged (the task is done); the default message is the task title', async () => {
    const { taskId, attemptId, seq } = await attemptOn('Merge me');
    const res = await api.call('POST', `/api/attempts/${attemptId}/merge?minSeq=${seq}`, { strategy: 'merge' });
    expect(res.status).toBe(200);
    const merged = MergeResult.parse(res.body);
    expect(merged).toMatchObject({ attemptId, runnerId, changed: true, commit: expect.stringMatching(/^c0ffee/) });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: { strategy: 'merge', message: expect.stringMatching(/^Merge me\n/) } });
    const attempt = AttemptView.parse((await api.call('GET', `/api/attempts/${attemptId}?minSeq=${merged.finished!.seq}`)).body);
    expect(attempt.status).toBe('merged');
    expect(TaskView.parse((await api.call('GET', `/api/tasks/${taskId}?minSeq=${merged.finished!.seq}`)).body).status).toBe('done');
  });

  it('answers a merge conflict with 409 listing the files, and finishes nothing', async () => {
    const { attemptId, seq } = await attemptOn('Conflicting');
    conflicts.add(attemptId);
    const before = await api.logState();
    const res = await api.call('POST', `/api/attempts/${attemptId}/merge?minSeq=${seq}`, { message: 'try it' });
    expect(res.status).toBe(409);
    expect(errorOf(res)).toMatchObject({ code: 'merge_conflict', details: { files: ['README.md', 'src/a.ts'], runnerId } });
    expect((await api.logState()).events).toBe(before.events);
    expect(AttemptView.parse((await api.call('GET', `/api/attempts/${attemptId}`)).body).status).toBe('active');
  });

  it('says what is wrong when the runner cannot serve: no worktree yet (422), unknown address or unreachable (503), not there (404)', async () => {
    const taskId = (await api.accepted('POST', `/api/projects/${projectId}/tasks`, { title: 'Nowhere yet' }, 201)).id;
    const fresh = await api.accepted('POST', `/api/tasks/${taskId}/attempts`, {}, 201);
    const none = await api.call('GET', `/api/attempts/${fresh.id}/diff?minSeq=${fresh.seq}`);
    expect({ status: none.status, code: errorOf(none).code }).toEqual({ status: 422, code: 'invalid_state' });

    const unknown = await attemptOn('Unknown runner', 'runner-without-url');
    const noUrl = await api.call('GET', `/api/attempts/${unknown.attemptId}/diff?minSeq=${unknown.seq}`);
    expect({ status: noUrl.status, message: errorOf(noUrl).message }).toEqual({ status: 503, message: expect.stringContaining('BATON_RUNNER_URLS') });

    const down = await attemptOn('Runner down', 'unreachable');
    expect((await api.call('GET', `/api/attempts/${down.attemptId}/diff?minSeq=${down.seq}`)).status).toBe(503);

    const gone = await attemptOn('Worktree gone');
    holds.delete(gone.attemptId);
    expect((await api.call('GET', `/api/attempts/${gone.attemptId}/diff?minSeq=${gone.seq}`)).status).toBe(404);
    expect((await api.call('GET', '/api/attempts/NO-SUCH-ATTEMPT/diff')).status).toBe(404);
  });

  it('lists runners with their liveness; admins drain them, operators may not', async () => {
    const listed = RunnerList.parse((await api.call('GET', '/api/runners')).body);
    expect(listed.find((r) => r.id === runnerId)).toMatchObject({ alive: true, capacity: 2, labels: { pool: runnerId }, draining: false });
    const drained = await api.accepted('POST', `/api/runners/${runnerId}/drain`, { reason: 'maintenance' });
    expect(RunnerView.parse((await api.call('GET', `/api/runners/${runnerId}?minSeq=${drained.seq}`)).body)).toMatchObject({ draining: true, alive: true });
    const operator = await api.user('operator');
    expect((await api.call('POST', `/api/runners/${runnerId}/drain`, { draining: false }, { token: operator })).status).toBe(403);
    await api.accepted('POST', `/api/runners/${runnerId}/drain`, { draining: false });
    expect((await api.call('POST', '/api/runners/NO-SUCH-RUNNER/drain', {})).status).toBe(404);
  });
});
