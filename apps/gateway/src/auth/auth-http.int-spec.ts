import { Broker, CommandBus, EventStore } from '@baton/event-store';
import { registry, SignInExternal } from '@baton/events';
import { generateToken, hashToken } from './token';
import { createTestNamespace, eventually, startService, type TestNamespace } from '@baton/testing';

describe('bearer tokens, roles and actors through the real gateway', () => {
  let ns: TestNamespace;
  let api: string;
  let broker: Broker;

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await startService('tasks', ns.env);
    api = `${(await startService('gateway', ns.env)).url}/api`;
  }, 60_000);
  afterAll(async () => {
    await broker?.close();
    await ns?.cleanup();
  });

  const call = (method: string, path: string, token?: string, body?: unknown) =>
    fetch(`${api}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const admin = () => ns.token;
  const project = { name: 'Guarded', repository: { location: '/srv/g' } };

  it('lets the bootstrap admin in', async () => {
    const me = await eventually(async () => {
      const res = await call('GET', '/me', admin());
      return res.status === 200 ? res.json() : undefined;
    }, 15_000, 'the bootstrap admin');
    expect(me).toMatchObject({ id: 'admin', role: 'admin' });
  });

  it.each([
    ['no token', undefined, /bearer token is required/],
    ['an unknown token', 'btn_not-a-real-token-at-all', /unknown or revoked/],
  ])('refuses %s with 401', async (_label, token, message) => {
    const res = await call('GET', '/projects', token);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(message) });
  });

  it('keeps health public', async () => {
    expect((await fetch(api.replace('/api', '/health/ready'))).status).toBe(200);
  });

  it('lets a viewer read but never send a command', async () => {
    const created = await call('POST', '/users', admin(), { name: 'Vera', role: 'viewer' });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    expect((await call('GET', '/projects', token)).status).toBe(200);
    const before = (await broker.jsm.streams.info(broker.names.streams.commands)).state.last_seq;
    const refused = await call('POST', '/projects', token, project);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect((await broker.jsm.streams.info(broker.names.streams.commands)).state.last_seq).toBe(before);
  });

  it('records the calling user as the actor of the events it causes', async () => {
    const op = (await (await call('POST', '/users', admin(), { name: 'Otto', role: 'operator' })).json()) as { id: string; token: string };
    const res = await call('POST', '/projects', op.token, project);
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const { events } = await new EventStore(broker, registry).load({ type: 'project', id });
    expect(events[0].actor).toEqual({ kind: 'user', id: op.id });
  });

  it('stops a revoked token', async () => {
    const op = (await (await call('POST', '/users', admin(), { name: 'Rita', role: 'operator' })).json()) as { id: string; token: string; tokenId: string };
    expect((await call('GET', '/me', op.token)).status).toBe(200);
    expect((await call('DELETE', `/users/${op.id}/tokens/${op.tokenId}`, op.token)).status).toBe(200);
    await eventually(async () => (await call('GET', '/me', op.token)).status === 401, 15_000, 'the revocation to take effect');
  });

  it('stops a token that expires (a single sign-on token) at its expiry, through the cache too', async () => {
    const token = generateToken();
    const expiresAt = new Date(Date.now() + 4_000).toISOString();
    const reply = await new CommandBus(broker).send(
      SignInExternal,
      { userId: 'oidc-expiring', name: 'Eve', identity: { issuer: 'https://idp.example', subject: 'eve' }, role: 'operator', token: { tokenId: 'sso-expiring', tokenHash: hashToken(token), label: 'sign-in', expiresAt } },
      { actor: { kind: 'system', id: 'test' } },
    );
    expect(reply.status).toBe('accepted');
    await eventually(async () => (await call('GET', '/me', token)).status === 200, 15_000, 'the token to work');
    expect(Date.now()).toBeLessThan(Date.parse(expiresAt));
    await eventually(async () => (await call('GET', '/me', token)).status === 401, 10_000, 'the token to expire');
    // Refused at its expiry, not at the cache's ten seconds.
    expect(Date.now() - Date.parse(expiresAt)).toBeLessThan(2_000);
    const users = (await (await call('GET', '/users', admin())).json()) as { id: string; identity?: unknown; tokens: unknown[] }[];
    expect(users.find((u) => u.id === 'oidc-expiring')).toMatchObject({ identity: { issuer: 'https://idp.example', subject: 'eve' }, tokens: [] });
  });

  it('lets only an admin create users', async () => {
    const op = (await (await call('POST', '/users', admin(), { name: 'Olga', role: 'operator' })).json()) as { token: string };
    expect((await call('POST', '/users', op.token, { name: 'Mallory', role: 'admin' })).status).toBe(403);
  });

  it('never returns a token hash or another user\'s token in a list', async () => {
    const body = JSON.stringify(await (await call('GET', '/users', admin())).json());
    expect(body).not.toMatch(/[0-9a-f]{64}/);
    expect(body).not.toContain('btn_');
  });
});
