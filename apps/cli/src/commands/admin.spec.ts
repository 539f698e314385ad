import { baton, refusal, type Call } from '../__tests__/fake-ctx';
import type { ServiceReadModels, StreamsReport, VerifyReport } from '@baton/contracts';
import { formatBytes, formatVerify, parseReadModel, resolveService } from './admin';

const replica = { leader: true, memorySeq: 50, phase: 'fetching', phaseMs: 10, buffered: 0, failures: 0, lastError: null };
const model = (name: string, over: Record<string, unknown> = {}) => ({ name, version: 1, storedVersion: 1, checkpoint: 50, lag: 0, rows: 3, updatedAt: null, replica, ...over });
const list: ServiceReadModels[] = [
  { service: 'tasks', lastSeq: 50, readModels: [model('tasks'), model('projects')], answeredBy: 'tasks-1' },
  { service: 'sessions', lastSeq: 50, readModels: [model('sessions'), model('runners')], answeredBy: 'sessions-1' },
];
const rebuilt = (over: Record<string, unknown> = {}) => ({ service: 'tasks', name: 'tasks', status: 'caught_up', targetSeq: 50, checkpoint: 50, rows: 90, ms: 1234, answeredBy: 'tasks-1', ...over });

const comparison = (name: string, over: Record<string, unknown> = {}) => ({ name, checkpoint: 50, storedVersion: 1, liveRows: 3, rebuiltRows: 3, onlyLive: 0, onlyRebuilt: 0, different: 0, sample: [], ...over });
const clean: VerifyReport = {
  ok: true,
  ms: 2100,
  services: [
    { service: 'tasks', ok: true, eventsRead: 120, undecodable: 0, ms: 900, readModels: [comparison('tasks'), comparison('projects')], answeredBy: 'tasks-1' },
    { service: 'sessions', ok: true, eventsRead: 120, undecodable: 0, ms: 800, readModels: [comparison('sessions')], answeredBy: 'sessions-1' },
  ],
};
const tampered: VerifyReport = {
  ok: false,
  ms: 2100,
  services: [
    {
      service: 'tasks',
      ok: false,
      eventsRead: 120,
      undecodable: 0,
      ms: 900,
      readModels: [
        comparison('tasks', {
          liveRows: 89,
          rebuiltRows: 90,
          onlyRebuilt: 1,
          different: 2,
          sample: [
            { id: 'T1', kind: 'different', columns: ['title'] },
            { id: 'T2', kind: 'only_rebuilt' },
          ],
        }),
        comparison('projects'),
      ],
      answeredBy: 'tasks-1',
    },
    { service: 'sessions', ok: false, error: { code: 'timeout', message: 'no answer in 300s' } },
  ],
};

describe('baton admin', () => {
  describe('rebuild', () => {
    it('finds the service that owns the read model, rebuilds there and says how it went', async () => {
      const sut = await baton(['admin', 'rebuild', 'projects'], (c) => (c.method === 'GET' ? { services: list } : rebuilt({ name: 'projects', rows: 3 })));
      expect(sut.code).toBe(0);
      expect(sut.calls.map((c) => [c.method, c.path])).toEqual([
        ['GET', '/api/admin/read-models'],
        ['POST', '/api/admin/read-models/tasks/projects/rebuild'],
      ]);
      expect(sut.calls[1].body).toEqual({ waitMs: 60_000 });
      expect(sut.stdout).toBe('rebuilt tasks/projects: 3 rows, checkpoint 50 (the log was at 50), 1.2s on tasks-1\n');
    });

    it('takes SERVICE/NAME without asking which service, and --wait 0 only starts it', async () => {
      const sut = await baton(['admin', 'rebuild', 'sessions/sessions', '--wait', '0', '--json'], () => rebuilt({ service: 'sessions', name: 'sessions', status: 'rebuilding', checkpoint: 3 }));
      expect(sut.code).toBe(0);
      expect(sut.calls).toEqual([expect.objectContaining({ method: 'POST', path: '/api/admin/read-models/sessions/sessions/rebuild', body: { waitMs: 0 } })]);
      expect(JSON.parse(sut.stdout)).toMatchObject({ status: 'rebuilding', checkpoint: 3 });
    });

    it('follows a rebuild that outlasts one request until it passes where it started', async () => {
      let polls = 0;
      const answer = (c: Call) => {
        if (c.method === 'POST') return rebuilt({ status: 'rebuilding', checkpoint: 10, targetSeq: 50 });
        polls++;
        return { ...model('tasks'), service: 'tasks', lastSeq: 60, checkpoint: polls < 2 ? 30 : 55, rows: 90, caughtUp: false };
      };
      const sut = await baton(['admin', 'rebuild', 'tasks/tasks', '--json'], answer);
      expect(sut.code).toBe(0);
      expect(polls).toBe(2);
      expect(sut.calls[1]).toMatchObject({ method: 'GET', path: '/api/admin/read-models/tasks/tasks' });
      expect(JSON.parse(sut.stdout)).toMatchObject({ status: 'caught_up', checkpoint: 55, rows: 90 });
    }, 10_000);

    it('exits 1 when it has not caught up within --wait', async () => {
      const sut = await baton(['admin', 'rebuild', 'tasks/tasks', '--wait', '1'], (c) => (c.method === 'POST' ? rebuilt({ status: 'rebuilding', checkpoint: 10 }) : { ...model('tasks'), checkpoint: 20, service: 'tasks', lastSeq: 60, caughtUp: false }));
      expect(sut.code).toBe(1);
      expect(sut.stdout).toMatch(/^rebuilding tasks\/tasks on tasks-1: checkpoint 20 of 50/);
      expect(sut.stderr).toMatch(/had not caught up after 1s/);
    }, 10_000);

    it.each([
      ['a malformed name', ['admin', 'rebuild', 'Bad-Name'], /not a read model name/],
      ['an unknown service', ['admin', 'rebuild', 'billing/tasks'], /tasks, sessions/],
      ['too many parts', ['admin', 'rebuild', 'a/b/c'], /NAME or SERVICE\/NAME/],
      ['a negative wait', ['admin', 'rebuild', 'tasks', '--wait', '-1'], /0 or more/],
      ['no read model', ['admin', 'rebuild'], /missing required argument/],
    ])('exits 2 on %s, asking nothing', async (_label, args, message) => {
      const sut = await baton(args);
      expect(sut.code).toBe(2);
      expect(sut.stderr).toMatch(message);
      expect(sut.calls).toEqual([]);
    });

    it('exits 2 on a read model no service has, naming those there are', async () => {
      const sut = await baton(['admin', 'rebuild', 'nosuch'], () => ({ services: list }));
      expect(sut).toMatchObject({ code: 2, stderr: 'baton: no read model "nosuch"; there are: tasks/tasks, tasks/projects, sessions/sessions, sessions/runners\n' });
      expect(sut.calls).toHaveLength(1);
    });

    it('exits 2 when the gateway does not know SERVICE/NAME', async () => {
      const sut = await baton(['admin', 'rebuild', 'sessions/projects'], refusal(404, 'no read model'));
      expect(sut).toMatchObject({ code: 2, stderr: expect.stringMatching(/sessions has no read model "projects"/) });
    });

    it('passes a refusal for non-admins through (exit 1)', async () => {
      const sut = await baton(['admin', 'rebuild', 'tasks/tasks'], refusal(403, 'admins only'));
      expect(sut).toMatchObject({ code: 1, stderr: 'baton: admins only\n' });
    });
  });

  describe('verify', () => {
    it('exits 0 and says so when every read model equals its rebuild', async () => {
      const sut = await baton(['admin', 'verify'], () => clean);
      expect(sut.code).toBe(0);
      expect(sut.calls).toEqual([expect.objectContaining({ method: 'POST', path: '/api/admin/verify', body: { sampleSize: 10 } })]);
      expect(sut.stdout).toBe(
        ['tasks: 2 read models equal their rebuild from the log (120 events, 0.9s)', 'sessions: 1 read models equal their rebuild from the log (120 events, 0.8s)', 'verify: no differences (2.1s)', ''].join('\n'),
      );
    });

    it('prints the differences row by row and exits 1', async () => {
      const sut = await baton(['admin', 'verify', '--service', 'tasks', '--service', 'sessions', '--sample', '2'], () => tampered);
      expect(sut.calls[0].body).toEqual({ services: ['tasks', 'sessions'], sampleSize: 2 });
      expect(sut.code).toBe(1);
      expect(sut.stdout).toContain('tasks: 1 of 2 read models differ from their rebuild from the log');
      expect(sut.stdout).toMatch(/^ {2}NAME +CHECKPOINT +LIVE_ROWS +REBUILT_ROWS +ONLY_LIVE +ONLY_REBUILT +DIFFERENT$/m);
      expect(sut.stdout).toMatch(/^ {2}tasks +50 +89 +90 +0 +1 +2$/m);
      expect(sut.stdout).toContain('  tasks/tasks T1: differs in title\n');
      expect(sut.stdout).toContain('  tasks/tasks T2: missing from the live read model\n');
      expect(sut.stdout).toContain('  tasks/tasks: …and 1 more (--sample)\n');
      expect(sut.stdout).toContain('sessions: did not answer (timeout: no answer in 300s)');
      expect(sut.stdout).toMatch(/verify: DIFFERENCES FOUND/);
      expect(sut.stderr).toBe('baton: verify found differences or errors in tasks, sessions\n');
    });

    it('prints the report as it came with --json, and still exits 1 on differences', async () => {
      const sut = await baton(['admin', 'verify', '--json'], () => tampered);
      expect(sut.code).toBe(1);
      expect(JSON.parse(sut.stdout)).toEqual(tampered);
    });

    it.each([
      ['an unknown service', ['admin', 'verify', '--service', 'billing'], /tasks, sessions/],
      ['a sample over 100', ['admin', 'verify', '--sample', '101'], /100 or less/],
      ['a sample that is no number', ['admin', 'verify', '--sample', 'many'], /0 or more/],
    ])('exits 2 on %s, asking nothing', async (_label, args, message) => {
      const sut = await baton(args);
      expect(sut.code).toBe(2);
      expect(sut.stderr).toMatch(message);
      expect(sut.calls).toEqual([]);
    });
  });

  describe('streams and read-models', () => {
    const report: StreamsReport = {
      namespace: 'baton',
      at: '2026-01-01T00:00:00.000Z',
      streams: [
        {
          name: 'BATON_EVENTS',
          role: 'events',
          messages: 1200,
          bytes: 3_500_000,
          firstSeq: 1,
          lastSeq: 1200,
          consumers: 5,
          replicas: 3,
          cluster: {
            name: 'c',
            leader: 'n1',
            replicas: [
              { name: 'n2', current: true, lag: 0, activeMs: 1 },
              { name: 'n3', current: false, lag: 40, activeMs: 900 },
            ],
          },
        },
      ],
      consumers: [{ stream: 'BATON_EVENTS', name: 'tasks-tasks', durable: true, numPending: 7, numAckPending: 1, numRedelivered: 0, deliveredSeq: 1193, ackFloorSeq: 1192 }],
      readModels: list,
    };

    it('prints streams with sizes and replicas behind, consumers with their lag, checkpoints', async () => {
      const sut = await baton(['admin', 'streams'], () => report);
      expect(sut.code).toBe(0);
      expect(sut.calls).toEqual([expect.objectContaining({ method: 'GET', path: '/api/admin/streams' })]);
      expect(sut.stdout).toMatch(/^BATON_EVENTS +events +1200 +3\.3 MiB +1 +1200 +5 +3 +n1 +n3\(40\)$/m);
      expect(sut.stdout).toMatch(/^STREAM +NAME +PENDING +ACK_PENDING +REDELIVERED +DELIVERED_SEQ +ACK_FLOOR_SEQ$/m);
      expect(sut.stdout).toMatch(/^BATON_EVENTS +tasks-tasks +7 +1 +0 +1193 +1192$/m);
      expect(sut.stdout).toMatch(/^sessions +runners +1 +50 +50 +0 +3$/m);
    });

    it('prints JSON as it came', async () => {
      expect(JSON.parse((await baton(['admin', 'streams', '--json'], () => report)).stdout)).toEqual(report);
    });

    it('says which read model is held by an event it cannot apply, and why', async () => {
      const stuck = model('tasks', { checkpoint: 40, lag: 10, replica: { ...replica, phase: 'retrying', failures: 12, lastError: 'null value in column "title"' } });
      const sut = await baton(['admin', 'read-models'], () => ({ services: [{ ...list[0], readModels: [stuck, model('projects')] }] }));
      expect(sut.stdout).toMatch(/^SERVICE +NAME +VERSION +CHECKPOINT +LOG +LAG +ROWS +PROBLEM$/m);
      expect(sut.stdout).toMatch(/^tasks +tasks +1 +40 +50 +10 +3 +12 failed tries: null value in column "title"$/m);
      expect(sut.stdout).toMatch(/^tasks +projects +1 +50 +50 +0 +3 +-$/m);
    });

    it('lists read models, and says which service did not answer', async () => {
      const sut = await baton(['admin', 'read-models'], () => ({ services: [list[0], { service: 'sessions', error: { code: 'timeout', message: 'no answer' } }] }));
      expect(sut.stdout).toMatch(/^tasks +projects +1 +50 +50 +0 +3$/m);
      expect(sut.stdout).toMatch(/^sessions +\(no answer: no answer\)/m);
    });
  });

  describe('pure parts', () => {
    it('parses NAME and SERVICE/NAME', () => {
      expect(parseReadModel('tasks')).toEqual({ service: undefined, name: 'tasks' });
      expect(parseReadModel('sessions/runners')).toEqual({ service: 'sessions', name: 'runners' });
    });

    it('asks for the service when two have the read model, and cannot resolve without answers', () => {
      const both: ServiceReadModels[] = [list[0], { ...list[1], readModels: [model('tasks')] }];
      expect(() => resolveService('tasks', both)).toThrow(/tasks and sessions both have a read model "tasks"; say which: tasks\/tasks or sessions\/tasks/);
      expect(() => resolveService('sessions', [list[0], { service: 'sessions', error: { code: 'timeout', message: 'no answer' } }])).toThrow(/name it as SERVICE\/sessions/);
    });

    it('formats sizes', () => {
      expect([0, 1023, 1024, 1_572_864, 5 * 1024 ** 3].map(formatBytes)).toEqual(['0 B', '1023 B', '1.0 KiB', '1.5 MiB', '5.0 GiB']);
    });

    it('says when a service reports a problem but no read model differs', () => {
      expect(formatVerify({ ok: false, ms: 10, services: [{ ...clean.services[0], ok: false, undecodable: 2 }] })).toMatch(/120 events, 2 undecodable, 0\.9s\) — but the service reports a problem/);
    });
  });
});
