import { ulid } from 'ulid';
import type { LiveErrorMessage, SubscribeAck } from '@baton/contracts';
import { createTestNamespace, eventually, startService, type TestNamespace } from '@baton/testing';
import { collect, connectLive, type LiveClient } from './__tests__/live-client';

describe('per-socket limits of the live gateway', () => {
  let ns: TestNamespace;
  let url: string;
  const sockets: LiveClient[] = [];

  beforeAll(async () => {
    ns = await createTestNamespace();
    await startService('tasks', ns.env);
    url = (await startService('gateway', { ...ns.env, BATON_LIVE_MAX_ROOMS: '4', BATON_LIVE_MAX_REPLAYS: '2' })).url;
    await eventually(async () => (await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${ns.token}` } })).ok, 20_000, 'the bootstrap admin');
  }, 60_000);
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(() => ns?.cleanup());

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}/api${path}`, { method, headers: { authorization: `Bearer ${ns.token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const newProject = () => call<{ id: string; seq: number }>('POST', '/projects', { name: `P ${ulid()}`, repository: { location: '/srv/p' } });
  const rename = (id: string, name: string) => call<{ seq: number }>('POST', `/projects/${id}/rename`, { name });
  const connect = async () => {
    const s = await connectLive(url, ns.token);
    sockets.push(s);
    return s;
  };
  const subscribe = (s: LiveClient, rooms: string[], sinceSeq?: number): Promise<SubscribeAck> =>
    s.timeout(20_000).emitWithAck('subscribe', { rooms: rooms as `project:${string}`[], ...(sinceSeq === undefined ? {} : { sinceSeq }) });
  /** Which of `ids` the socket hears renames of: proof of the rooms it is really in. `marker` is one it follows, renamed last. */
  const roomsReached = async (s: LiveClient, ids: string[], marker: string) => {
    const got = collect(s, 'event');
    for (const id of ids) await rename(id, `probe ${ulid()}`);
    const { seq } = await rename(marker, `marker ${ulid()}`);
    await eventually(() => got.some((m) => m.seq >= seq), 5_000, 'the marker');
    return ids.filter((id) => got.some((m) => m.event.aggregate.id === id));
  };

  it('refuses a subscribe that would pass the room cap, whole, with limit_exceeded, and keeps the socket', async () => {
    const projects = await Promise.all(Array.from({ length: 6 }, () => newProject()));
    const ids = projects.map((p) => p.id);
    const s = await connect();
    const errors = collect(s, 'error');
    expect(await subscribe(s, ids.slice(0, 3).map((id) => `project:${id}`))).toMatchObject({ ok: true });
    const refused = await subscribe(s, ids.slice(3, 5).map((id) => `project:${id}`));
    expect(refused).toMatchObject({ ok: false, error: { code: 'limit_exceeded', on: 'subscribe', message: expect.stringMatching(/at most 4 rooms/) } });
    expect(errors).toEqual([expect.objectContaining<Partial<LiveErrorMessage>>({ code: 'limit_exceeded' })]);
    // Nothing of the refused subscribe was joined; up to the cap still works.
    expect(await roomsReached(s, [ids[2], ids[3], ids[4]], ids[0])).toEqual([ids[2]]);
    expect(await subscribe(s, [`project:${ids[3]}`, `project:${ids[0]}`])).toMatchObject({ ok: true });
    expect(await subscribe(s, [`project:${ids[5]}`])).toMatchObject({ ok: false, error: { code: 'limit_exceeded' } });
    expect(s.connected).toBe(true);
  });

  it('refuses replays past the cap while others run or wait, and runs the rest', async () => {
    // A log worth replaying: every replay below reads it from the start.
    const projects = await Promise.all(Array.from({ length: 4 }, () => newProject()));
    for (let i = 0; i < 50; i++) await rename(projects[i % 4].id, `n${i}`);
    const s = await connect();
    const acks = await Promise.all(Array.from({ length: 8 }, (_, i) => subscribe(s, [`project:replay-${i}`], 0)));
    const refused = acks.filter((a) => !a.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(acks.filter((a) => a.ok).length).toBeGreaterThanOrEqual(2);
    for (const a of refused) expect(a).toMatchObject({ ok: false, error: { code: 'limit_exceeded', message: expect.stringMatching(/at most 2 subscribes with sinceSeq/) } });
    // Once they are answered, replays are taken again.
    expect(await subscribe(s, [`project:${projects[0].id}`], 0)).toMatchObject({ ok: true });
  });
});
