import { AGENT_TOKEN_REVOCATIONS_TTL_MS, agentTokenRevocationsBucket } from '@baton/agent-auth';
import { Broker } from '@baton/event-store';
import { createTestNamespace, eventually, type TestNamespace } from '@baton/testing';
import { EndedSessions } from './ended-sessions';

describe('EndedSessions (a real KV bucket)', () => {
  let ns: TestNamespace;
  let broker: Broker;
  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
  });
  afterAll(async () => {
    await broker?.close();
    await ns?.cleanup();
  });

  it('is unknown without the bucket, then mirrors what ended before it started and what ends after', async () => {
    const sut = new EndedSessions(broker);
    expect(await sut.check('s0')).toEqual({ kind: 'unknown' });

    const kv = await broker.kv(agentTokenRevocationsBucket(ns.namespace), { ttl: AGENT_TOKEN_REVOCATIONS_TTL_MS, history: 1 });
    for (const id of ['s1', 's2', 's3']) await kv.put(id, '2026-12-07T10:00:00.000Z');
    const later = new EndedSessions(broker);
    const heard: string[] = [];
    later.onEnded((id) => heard.push(id));
    expect(await later.check('s2')).toEqual({ kind: 'ended', at: '2026-12-07T10:00:00.000Z' });
    expect(await later.check('s9')).toEqual({ kind: 'live' });

    await kv.put('s9', '2026-12-07T11:00:00.000Z');
    await eventually(async () => (await later.check('s9')).kind === 'ended', 5_000, 's9 to be seen as ended');
    // Only sessions that end while it runs are announced (their sockets are dropped).
    expect(heard).toEqual(['s9']);
    later.stop();
    sut.stop();
  });
});
