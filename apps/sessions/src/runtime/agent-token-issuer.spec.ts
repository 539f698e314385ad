import { readAgentTokenTimes } from '@baton/agent-auth';
import { names } from '@baton/events';
import { silentLogger, type Broker } from '@baton/event-store';
import type { DataSource } from 'typeorm';
import type { SessionRow } from '../read-models/sessions/session-row.entity';
import { AgentTokenIssuer } from './agent-token-issuer';

const n = names('t1');
const row: Partial<SessionRow> = { id: 's1', projectId: 'p1', attemptId: null, taskIds: [], role: 'worker', parentSessionId: null, status: 'working', runnerId: 'r1' };
const body = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

function issuer(o: { find?: () => Promise<Partial<SessionRow> | null>; secret?: () => Promise<string> } = {}) {
  const reads: unknown[] = [];
  const db = { getRepository: () => ({ findOneBy: async (where: unknown) => (reads.push(where), (o.find ?? (async () => row))()) }) } as unknown as DataSource;
  const sut = new AgentTokenIssuer({ broker: { names: n } as Broker, db, secret: o.secret ?? (async () => 'k'.repeat(40)), ttlMs: 60_000, logger: silentLogger });
  return { sut, reads };
}

describe(AgentTokenIssuer.name, () => {
  it("signs a token of the session's claims for the runner named in the subject, living the configured TTL", async () => {
    const { sut, reads } = issuer();
    const reply = await sut.answer(n.agentToken('r1'), body({ sessionId: 's1' }));
    expect(reads).toEqual([{ id: 's1' }]);
    if (!reply.ok) throw new Error(reply.message);
    expect(reply.token.startsWith('bat_s.')).toBe(true);
    expect(readAgentTokenTimes(reply.token)).toEqual({ issuedAt: Date.parse(reply.issuedAt), expiresAt: Date.parse(reply.expiresAt) });
    expect(Date.parse(reply.expiresAt) - Date.parse(reply.issuedAt)).toBe(60_000);
  });

  it('refuses another runner than the one the session runs on, whatever the body says', async () => {
    const { sut } = issuer();
    expect(await sut.answer(n.agentToken('r2'), body({ sessionId: 's1' }))).toEqual({ ok: false, code: 'not_live', message: 'session s1 does not run on runner r2' });
  });

  it.each([
    ['not JSON', n.agentToken('r1'), '{"sessionId":'],
    ['no session id', n.agentToken('r1'), {}],
    ['a bad id', n.agentToken('r1'), { sessionId: '../s1' }],
    ['anything beside the id', n.agentToken('r1'), { sessionId: 's1', runnerId: 'r1' }],
    ['an array', n.agentToken('r1'), ['s1']],
    ['no runner in the subject', n.agentToken(''), { sessionId: 's1' }],
  ])('answers %s with a validation error and reads nothing', async (_what, subject, request) => {
    const { sut, reads } = issuer();
    expect(await sut.answer(subject, body(request))).toMatchObject({ ok: false, code: 'validation' });
    expect(reads).toEqual([]);
  });

  it('says "unavailable" (ask again) when the read model or the secret cannot be read', async () => {
    const down = issuer({ find: () => Promise.reject(new Error('connection terminated')) });
    expect(await down.sut.answer(n.agentToken('r1'), body({ sessionId: 's1' }))).toMatchObject({ ok: false, code: 'unavailable' });
    const noSecret = issuer({ secret: () => Promise.reject(new Error('KV unreachable')) });
    expect(await noSecret.sut.answer(n.agentToken('r1'), body({ sessionId: 's1' }))).toMatchObject({ ok: false, code: 'unavailable' });
  });
});
