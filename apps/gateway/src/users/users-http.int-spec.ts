import { ulid } from 'ulid';
import { Broker, EventStore } from '@baton/event-store';
import { registry, stampEvents, UserCreated, UserRoleChanged, UserTokenIssued, type NewEvent } from '@baton/events';
import { command, createTestNamespace, eventually, startService, type TestNamespace } from '@baton/testing';
import { errorOf, startApi, type Api } from '../openapi/__tests__/api-harness';
import { hashToken } from '../auth/token';

interface Me {
  id: string;
  role: string;
  tokenId: string;
}

describe('the last admin, through the real gateway', () => {
  let api: Api;

  beforeAll(async () => {
    api = await startApi();
  }, 60_000);
  afterAll(() => api?.close());

  const me = async (token?: string) => (await api.call<Me>('GET', '/api/me', undefined, { token })).body;

  it('cannot step down or revoke its last token (409 naming why) until another admin can sign in', async () => {
    const bootstrap = await me();
    expect(bootstrap).toMatchObject({ id: 'admin', role: 'admin' });
    const before = await api.logState();

    const demoted = await api.call('POST', '/api/users/admin/role', { role: 'viewer' });
    expect({ status: demoted.status, code: errorOf(demoted).code }).toEqual({ status: 409, code: 'conflict' });
    expect(errorOf(demoted).message).toMatch(/admin is the last admin who can sign in: make another user admin/);
    const revoked = await api.call('DELETE', `/api/users/admin/tokens/${bootstrap.tokenId}`);
    expect({ status: revoked.status, code: errorOf(revoked).code }).toEqual({ status: 409, code: 'conflict' });
    expect(errorOf(revoked).message).toMatch(/last admin who can sign in: token .* is its last/);
    expect((await api.logState()).events).toBe(before.events);

    // With a second admin the first may step down; then the second is the last.
    const second = await api.user('admin');
    const secondId = (await me(second)).id;
    expect((await api.call('POST', '/api/users/admin/role', { role: 'operator' })).status).toBe(200);
    const last = await api.call('POST', `/api/users/${secondId}/role`, { role: 'viewer' }, { token: second });
    expect({ status: last.status, code: errorOf(last).code }).toEqual({ status: 409, code: 'conflict' });
    expect(errorOf(last).message).toContain(`user ${secondId} is the last admin who can sign in`);
  });
});

describe('the bootstrap token when no admin is left', () => {
  let ns: TestNamespace;
  let broker: Broker;

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
  });
  afterAll(async () => {
    await broker?.close();
    await ns?.cleanup();
  });

  it("makes the token's user admin again when the gateway starts", async () => {
    // The log the finding left: the bootstrap admin (on its own subject, as users were kept then) demoted itself.
    const store = new EventStore(broker, registry);
    const admin = { type: 'user' as const, id: 'admin' };
    const hash = hashToken(ns.token);
    const append = (events: NewEvent[], expectedLastSeq: number) => store.append(admin, stampEvents(command('user.x', {}), admin, events, ulid), { expectedLastSeq, msgIdBase: ulid() });
    const created = await append([UserCreated({ name: 'admin', role: 'admin' }), UserTokenIssued({ tokenId: `env-${hash.slice(0, 16)}`, tokenHash: hash, label: 'BATON_BOOTSTRAP_TOKEN' })], 0);
    await append([UserRoleChanged({ from: 'admin', to: 'viewer' })], created.lastSeq);

    await startService('tasks', ns.env);
    const gateway = await startService('gateway', ns.env);
    const role = await eventually(async () => {
      const res = await fetch(`${gateway.url}/api/me`, { headers: { authorization: `Bearer ${ns.token}` } });
      const body = res.status === 200 ? ((await res.json()) as Me) : undefined;
      return body?.role === 'admin' ? body.role : undefined;
    }, 30_000, 'the bootstrap token to be an admin again');
    expect(role).toBe('admin');
  }, 120_000);
});
