import { lostCommands, placeCommands } from './loop-commands';

const now = '2026-01-01T10:00:00.000Z';

describe(placeCommands.name, () => {
  it('names each placement by the session’s pending episode and the runner: a resend after a crash is the same command', () => {
    const sut = placeCommands([{ sessionId: 's1', runnerId: 'r1' }], { s1: 42 }, now);
    expect(sut).toEqual([
      { id: 'sessions-place-s1-42-r1', type: 'session.place', actor: { kind: 'system', id: 'sessions-scheduler' }, correlationId: 'sessions-place-s1-42-r1', issuedAt: now, data: { sessionId: 's1', runnerId: 'r1' } },
    ]);
    expect(placeCommands([{ sessionId: 's1', runnerId: 'r1' }], { s1: 42 }, '2026-01-01T11:00:00.000Z')[0].id).toBe(sut[0].id);
  });
});

describe(lostCommands.name, () => {
  it('marks a session lost with its runner and why', () => {
    expect(lostCommands([{ sessionId: 's1', runnerId: 'r1', lastSeq: 9 }], 10_000, now)[0]).toMatchObject({
      id: 'sessions-lost-s1-9',
      type: 'session.mark_lost',
      data: { sessionId: 's1', runnerId: 'r1', reason: 'no heartbeat for 10s' },
    });
  });
});
