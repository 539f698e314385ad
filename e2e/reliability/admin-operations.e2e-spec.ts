import { Client } from 'pg';
import { createTestNamespace, eventually, type TestNamespace } from '@baton/testing';
import { ReadModelList, RebuildResult, StreamsReport, VerifyReport } from '@baton/contracts';
import { cleanEnv, runCli } from '../cli/baton-cli';
import { call, isAccepted } from './harness/http';
import { Load } from './harness/load';
import { Stack } from './harness/stack';

/*
 * The admin operations on real processes: two tasks replicas (a rebuild is answered by the
 * projection's leader, whichever replica was asked), verify that finds real differences
 * (rows changed behind the service's back) and none after a rebuild, and the streams report.
 */
describe('admin operations: rebuild on the leader, verify against the log, streams', () => {
  let ns: TestNamespace;
  let stack: Stack;
  const api = <T = unknown>(method: string, path: string, body?: unknown, token?: string) => call<T>(() => stack.gatewayUrl, token ?? ns.token, method, path, body, { timeoutMs: 120_000 });
  const schema = () => `${ns.namespace}_tasks`;

  beforeAll(async () => {
    ns = await createTestNamespace();
    stack = new Stack(ns.env);
    await stack.start('tasks-a', { app: 'tasks' });
    await stack.start('tasks-b', { app: 'tasks' });
    await stack.start('sessions', { app: 'sessions' });
    await stack.start('gateway', { app: 'gateway' });
    await eventually(async () => (await api('GET', '/api/me')).status === 200, 20_000, 'the bootstrap admin');
    const load = new Load({ base: () => stack.gatewayUrl, token: ns.token, clients: 3, perClient: 40, prefix: 'seed' }).start();
    const seeded = await load.finished();
    expect(seeded.refused).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await ns?.cleanup();
  });

  const caughtUp = () =>
    eventually(async () => {
      const r = await api<unknown>('GET', '/api/admin/read-models');
      const list = ReadModelList.parse(r.body);
      return list.services.every((s) => s.readModels?.every((m) => m.checkpoint === s.lastSeq)) ? list : null;
    }, 20_000, 'every read model caught up');

  it('lists every read model of every service at the log\'s end', async () => {
    const list = await caughtUp();
    expect(list.services.map((s) => s.service)).toEqual(['tasks', 'sessions']);
    const tasks = list.services[0].readModels!.find((m) => m.name === 'tasks')!;
    expect(tasks).toMatchObject({ version: expect.any(Number), storedVersion: tasks.version, lag: 0, rows: 90 });
  });

  it('finds no difference on an untouched installation', async () => {
    await caughtUp();
    const r = await api('POST', '/api/admin/verify', {});
    expect(r.status).toBe(200);
    const report = VerifyReport.parse(r.body);
    expect(report.ok).toBe(true);
    const tasks = report.services.find((s) => s.service === 'tasks')!;
    expect(tasks.readModels!.find((m) => m.name === 'tasks')).toMatchObject({ liveRows: 90, rebuiltRows: 90, onlyLive: 0, onlyRebuilt: 0, different: 0 });
    expect(tasks.eventsRead).toBeGreaterThan(120);
  });

  it('finds rows changed, removed or added behind the service\'s back, names them, and a rebuild repairs them', async () => {
    await caughtUp();
    const pg = new Client({ connectionString: ns.databaseUrl });
    await pg.connect();
    let changed: string;
    let removed: string;
    try {
      const { rows } = await pg.query<{ id: string }>(`SELECT id FROM "${schema()}".tasks ORDER BY id LIMIT 2`);
      [changed, removed] = rows.map((r) => r.id);
      await pg.query(`UPDATE "${schema()}".tasks SET title = 'tampered' WHERE id = $1`, [changed]);
      await pg.query(`DELETE FROM "${schema()}".tasks WHERE id = $1`, [removed]);
      await pg.query(`INSERT INTO "${schema()}".projects SELECT 'ZZFORGED' AS id, name, repository_location, default_branch, concurrency_limit, env, status, created_at, updated_at, event_count, last_seq FROM "${schema()}".projects LIMIT 1`).catch(async () => {
        // the projects table has more columns than this list: copy a row whole instead
        await pg.query(`CREATE TEMP TABLE p AS SELECT * FROM "${schema()}".projects LIMIT 1; UPDATE p SET id = 'ZZFORGED'; INSERT INTO "${schema()}".projects SELECT * FROM p;`);
      });
    } finally {
      await pg.end();
    }

    const report = VerifyReport.parse((await api('POST', '/api/admin/verify', { services: ['tasks'], sampleSize: 5 })).body);
    expect(report.ok).toBe(false);
    const models = report.services[0].readModels!;
    expect(models.find((m) => m.name === 'tasks')).toMatchObject({
      different: 1,
      onlyRebuilt: 1,
      onlyLive: 0,
      sample: expect.arrayContaining([
        { id: changed!, kind: 'different', columns: ['title'] },
        { id: removed!, kind: 'only_rebuilt' },
      ]),
    });
    expect(models.find((m) => m.name === 'projects')).toMatchObject({ onlyLive: 1, sample: [{ id: 'ZZFORGED', kind: 'only_live' }] });
    expect(models.filter((m) => !['tasks', 'projects'].includes(m.name)).every((m) => m.onlyLive + m.onlyRebuilt + m.different === 0)).toBe(true);

    // Asked through the gateway, the rebuild lands on either replica: both answer with the leader.
    const answers = [];
    for (const name of ['tasks', 'projects', 'tasks']) {
      const r = await api('POST', `/api/admin/read-models/tasks/${name}/rebuild`, { waitMs: 30_000 });
      expect(r.status).toBe(200);
      answers.push(RebuildResult.parse(r.body));
    }
    expect(answers.map((a) => a.status)).toEqual(['caught_up', 'caught_up', 'caught_up']);
    expect(answers[0]).toMatchObject({ service: 'tasks', name: 'tasks', rows: 90 });
    expect(answers[2].answeredBy).toBe(answers[0].answeredBy);
    expect(answers[1].rows).toBe(3);
    // A few more: with two replicas in the queue group some land on the one that does not lead.
    for (let i = 0; i < 6; i++) {
      const r = RebuildResult.parse((await api('POST', '/api/admin/read-models/tasks/prompt_templates/rebuild', {})).body);
      expect(r).toMatchObject({ status: 'caught_up', answeredBy: expect.any(String) });
      answers.push(r);
    }
    expect(new Set(answers.filter((a) => a.name === 'prompt_templates').map((a) => a.answeredBy)).size).toBe(1);

    const after = VerifyReport.parse((await api('POST', '/api/admin/verify', {})).body);
    expect(after.ok).toBe(true);
  });

  it('rebuilds under load without losing or doubling anything, and follows a rebuild that outlasts its wait', async () => {
    const load = new Load({ base: () => stack.gatewayUrl, token: ns.token, clients: 4, prefix: 'during', pauseMs: 10 }).start();
    await eventually(() => load.acceptedCount > 40, 30_000, 'load under way');
    const r = await api('POST', '/api/admin/read-models/tasks/tasks/rebuild', { waitMs: 0 });
    expect(r.status).toBe(200);
    const started = RebuildResult.parse(r.body);
    expect(started.status === 'rebuilding' || started.checkpoint >= started.targetSeq).toBe(true);
    // The progress handle: the read model's own state, until it has passed where the rebuild started.
    await eventually(async () => {
      const p = await api<{ checkpoint: number; caughtUp: boolean }>('GET', '/api/admin/read-models/tasks/tasks');
      return p.status === 200 && p.body.checkpoint >= started.targetSeq;
    }, 30_000, 'the rebuild to pass its target');
    await eventually(() => load.acceptedCount > 120, 30_000, 'more load');
    const result = await load.stop();
    expect(result.refused).toEqual([]);
    await caughtUp();
    for (const a of result.accepted.filter((x) => isAccepted(x) && x.kind === 'task.create')) {
      expect((await api('GET', `/api/tasks/${a.id}?minSeq=${a.seq}`)).status).toBe(200);
    }
    const v = VerifyReport.parse((await api('POST', '/api/admin/verify', {})).body);
    const differing = v.services.flatMap((sv) => (sv.readModels ?? []).filter((m) => m.onlyLive + m.onlyRebuilt + m.different > 0).map((m) => ({ service: sv.service, ...m })));
    expect({ ok: v.ok, differing, errors: v.services.filter((sv) => sv.error) }).toEqual({ ok: true, differing: [], errors: [] });
  });

  it('reports streams, consumers and their lag, and checkpoints against the log', async () => {
    await caughtUp();
    const r = await api('GET', '/api/admin/streams');
    expect(r.status).toBe(200);
    const report = StreamsReport.parse(r.body);
    const events = report.streams.find((s) => s.role === 'events')!;
    expect(events).toMatchObject({ name: `${ns.namespace.toUpperCase()}_EVENTS`, replicas: 1 });
    expect(events.messages).toBe(events.lastSeq);
    expect(report.streams.map((s) => s.role)).toEqual(expect.arrayContaining(['events', 'commands', 'terminal', 'kv']));
    const tasksConsumer = report.consumers.find((c) => c.name === 'tasks-tasks')!;
    expect(tasksConsumer).toMatchObject({ stream: events.name, durable: true });
    const commands = report.consumers.find((c) => c.name === 'tasks-commands')!;
    expect(commands.numPending).toBe(0);
    expect(report.readModels.find((s) => s.service === 'tasks')!.lastSeq).toBe(events.lastSeq);
  });

  it('does the same from the baton CLI: verify names a changed row and exits 1, rebuild repairs it, streams shows sizes and lag', async () => {
    await caughtUp();
    const env = cleanEnv({ BATON_API_URL: stack.gatewayUrl, BATON_TOKEN: ns.token });
    const baton = (...args: string[]) => runCli(args, env);
    const pg = new Client({ connectionString: ns.databaseUrl });
    await pg.connect();
    let changed: string;
    try {
      changed = (await pg.query<{ id: string }>(`SELECT id FROM "${schema()}".tasks ORDER BY id DESC LIMIT 1`)).rows[0].id;
      await pg.query(`UPDATE "${schema()}".tasks SET title = 'changed behind its back' WHERE id = $1`, [changed]);
    } finally {
      await pg.end();
    }

    const found = await baton('admin', 'verify', '--service', 'tasks');
    expect({ code: found.code, stderr: found.stderr }).toEqual({ code: 1, stderr: 'baton: verify found differences or errors in tasks\n' });
    expect(found.stdout).toMatch(/^tasks: 1 of \d+ read models differ from their rebuild from the log/m);
    expect(found.stdout).toContain(`  tasks/tasks ${changed!}: differs in title\n`);

    const rebuilt = await baton('admin', 'rebuild', 'tasks');
    expect({ code: rebuilt.code, stderr: rebuilt.stderr }).toEqual({ code: 0, stderr: '' });
    expect(rebuilt.stdout).toMatch(/^rebuilt tasks\/tasks: \d+ rows, checkpoint \d+ \(the log was at \d+\), [\d.]+s on \S+\n$/);

    const clean = await baton('admin', 'verify');
    expect(clean).toMatchObject({ code: 0, stderr: '' });
    expect(clean.stdout).toMatch(/verify: no differences/);

    const streams = await baton('admin', 'streams');
    expect(streams.code).toBe(0);
    const events = `${ns.namespace.toUpperCase()}_EVENTS`;
    expect(streams.stdout).toMatch(new RegExp(`^${events} +events +\\d+ +[\\d.]+ (B|KiB|MiB) +1 +\\d+ +\\d+ +1`, 'm'));
    expect(streams.stdout).toMatch(new RegExp(`^${events} +tasks-tasks +\\d+ +\\d+ `, 'm'));
    expect(StreamsReport.parse(JSON.parse((await baton('admin', 'streams', '--json')).stdout)).streams.length).toBeGreaterThanOrEqual(4);

    // Bad input exits 2; a token without the admin role is refused (exit 1).
    expect((await baton('admin', 'rebuild', 'Bad-Name')).code).toBe(2);
    const unknown = await baton('admin', 'rebuild', 'nosuch');
    expect({ code: unknown.code, stderr: unknown.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(/no read model "nosuch"; there are: .*tasks\/tasks/) });
    expect((await baton('admin', 'rebuild', 'sessions/projects')).code).toBe(2);
    const viewer = (await api<{ token: string }>('POST', '/api/users', { name: 'cli-viewer', role: 'viewer' })).body.token;
    const refused = await runCli(['admin', 'verify'], { ...env, BATON_TOKEN: viewer });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
  });

  it('answers 403 to operators and viewers, 404 to an unknown read model, 400 to a malformed one', async () => {
    for (const role of ['operator', 'viewer'] as const) {
      const created = await api<{ token: string }>('POST', '/api/users', { name: `${role}-admin-test`, role });
      const token = created.body.token;
      for (const [method, path, body] of [
        ['GET', '/api/admin/streams'],
        ['GET', '/api/admin/read-models'],
        ['POST', '/api/admin/read-models/tasks/tasks/rebuild', {}],
        ['POST', '/api/admin/verify', {}],
      ] as [string, string, unknown?][]) {
        expect({ role, path, status: (await api(method, path, body, token)).status }).toEqual({ role, path, status: 403 });
      }
    }
    expect((await api('POST', '/api/admin/read-models/tasks/nosuch/rebuild', {})).status).toBe(404);
    expect((await api('POST', '/api/admin/read-models/sessions/projects/rebuild', {})).status).toBe(404);
    expect((await api('POST', '/api/admin/read-models/billing/tasks/rebuild', {})).status).toBe(400);
    expect((await api('POST', '/api/admin/read-models/tasks/Bad-Name/rebuild', {})).status).toBe(400);
    expect((await api('POST', '/api/admin/verify', { services: ['tasks'], sampleSize: 1000 })).status).toBe(400);
  });
});
