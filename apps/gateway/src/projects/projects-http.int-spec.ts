import { Broker } from '@baton/event-store';
import { createTestNamespace, eventually, startService, type TestNamespace } from '@baton/testing';

describe('POST /api/projects through the real gateway and tasks service', () => {
  let ns: TestNamespace;
  let broker: Broker;
  let api: string;

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
    await startService('tasks', ns.env);
    const gateway = await startService('gateway', ns.env);
    api = `${gateway.url}/api`;
    // The gateway creates the bootstrap admin just after it listens: wait for its token to work.
    await eventually(async () => (await fetch(`${api}/me`, { headers: auth() })).status === 200, 20_000, 'the bootstrap admin');
  }, 60_000);
  afterAll(async () => {
    await broker?.close();
    await ns?.cleanup();
  });

  const auth = () => ({ authorization: `Bearer ${ns.token}` });
  const get = (path: string) => fetch(`${api}${path}`, { headers: auth() });
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${api}/projects`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth(), ...headers }, body });
  const logState = async () => {
    const [events, commands] = await Promise.all([
      broker.jsm.streams.info(broker.names.streams.events),
      broker.jsm.streams.info(broker.names.streams.commands),
    ]);
    return { events: events.state.last_seq, commands: commands.state.last_seq };
  };
  const valid = { name: 'Web', repository: { location: '/srv/web' } };

  it('creates a project and reads it back at the returned sequence', async () => {
    const res = await post(JSON.stringify({ ...valid, concurrencyLimit: 4, env: { API_URL: 'http://x' } }));
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; seq: number };
    const got = await get(`/projects/${created.id}?minSeq=${created.seq}`);
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({
      id: created.id,
      name: 'Web',
      repository: { location: '/srv/web', defaultBranch: 'main' },
      concurrencyLimit: 4,
      envKeys: ['API_URL'],
      status: 'active',
    });
  });

  it('answers a resent Idempotency-Key with the first outcome, appending once', async () => {
    const key = `create-${Date.now()}`;
    const first = (await (await post(JSON.stringify(valid), { 'Idempotency-Key': key })).json()) as { id: string; seq: number };
    const before = await logState();
    const again = await post(JSON.stringify({ ...valid, name: 'Different' }), { 'Idempotency-Key': key });
    expect(again.status).toBe(201);
    expect(await again.json()).toMatchObject({ id: first.id, seq: first.seq });
    expect((await logState()).events).toBe(before.events);
  });

  const oversizedName = 'x'.repeat(5_000);
  const cases: [string, string, Record<string, string>, number, string[]][] = [
    ['a missing field', JSON.stringify({ repository: { location: '/srv' } }), {}, 400, ['name']],
    ['a missing nested field', JSON.stringify({ name: 'A', repository: {} }), {}, 400, ['repository.location']],
    ['a wrong type', JSON.stringify({ name: 42, repository: { location: '/srv' } }), {}, 400, ['name']],
    ['a wrong nested type', JSON.stringify({ ...valid, concurrencyLimit: 'many' }), {}, 400, ['concurrencyLimit']],
    ['an oversized field', JSON.stringify({ ...valid, name: oversizedName }), {}, 400, ['name']],
    ['an unknown field', JSON.stringify({ ...valid, owner: 'eve' }), {}, 400, ['owner']],
    ['an unknown nested field', JSON.stringify({ name: 'A', repository: { location: '/srv', token: 's3cret' } }), {}, 400, ['repository.token']],
    ['a bad env name', JSON.stringify({ ...valid, env: { 'BAD NAME': '1' } }), {}, 400, ['env.BAD NAME']],
    ['an empty name', JSON.stringify({ ...valid, name: '   ' }), {}, 400, ['name']],
    ['a bad Idempotency-Key', JSON.stringify(valid), { 'Idempotency-Key': 'spaces are not allowed' }, 400, ['Idempotency-Key']],
    ['a body that is not JSON', '{"name": ', {}, 400, []],
    ['a JSON array', '[1,2]', {}, 400, []],
    ['a repository git would read from a file descriptor', JSON.stringify({ ...valid, repository: { location: 'fd::3' } }), {}, 400, ['repository.location']],
    ['a repository git would run as a command', JSON.stringify({ ...valid, repository: { location: 'ext::sh -c x' } }), {}, 400, ['repository.location']],
    ['a repository that reads as an option', JSON.stringify({ ...valid, repository: { location: '-uhelp' } }), {}, 400, ['repository.location']],
    ['a relative repository path', JSON.stringify({ ...valid, repository: { location: 'srv/web' } }), {}, 400, ['repository.location']],
  ];

  it.each(cases)('refuses %s with a clear error and changes nothing', async (_label, body, headers, status, fields) => {
    const before = await logState();
    const res = await post(body, headers);
    expect(res.status).toBe(status);
    const answer = (await res.json()) as { error: { code: string; message: string; fields?: { path: string }[] } };
    expect(answer.error.message.length).toBeGreaterThan(0);
    expect(answer.error.code).toBe('validation');
    for (const f of fields) expect(answer.error.fields?.map((x) => x.path)).toContain(f);
    expect(await logState()).toEqual(before);
  });

  it('changes the repository only to a location on the allow-list, naming the field otherwise', async () => {
    const created = (await (await post(JSON.stringify(valid))).json()) as { id: string };
    const patch = (repository: unknown) =>
      fetch(`${api}/projects/${created.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json', ...auth() }, body: JSON.stringify({ repository }) });
    const before = await logState();
    for (const location of ['ext::sh -c x', 'fd::3', 'git://github.com/o/r.git', 'http://github.com/o/r.git']) {
      const refused = await patch({ location, defaultBranch: 'main' });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { fields: { path: string }[] } }).error.fields.map((f) => f.path)).toEqual(['repository.location']);
    }
    expect(await logState()).toEqual(before);
    const changed = await patch({ location: 'git@github.com:o/r.git', defaultBranch: 'main' });
    expect(changed.ok).toBe(true);
    const { seq } = (await changed.json()) as { seq: number };
    expect(await (await get(`/projects/${created.id}?minSeq=${seq}`)).json()).toMatchObject({ repository: { location: 'git@github.com:o/r.git' } });
  });

  it('refuses a body over the size limit with 413 and changes nothing', async () => {
    const before = await logState();
    const res = await post(JSON.stringify({ ...valid, env: { BLOB: 'x'.repeat(400_000) } }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    expect(await logState()).toEqual(before);
  });

  it('answers 404 for a project that does not exist and 400 for a malformed id', async () => {
    expect((await get('/projects/nope')).status).toBe(404);
    const bad = await get('/projects/a.b');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: { path: string }[] } }).error.fields[0].path).toBe('id');
  });
});
