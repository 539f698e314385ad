import { evolveHealth, initialHealth, type HealthProbe } from './health';

describe(evolveHealth.name, () => {
  const sut = (probes: HealthProbe[]) => probes.reduce(evolveHealth, initialHealth());
  const answer = (status: number, body: unknown, at = 1): HealthProbe => ({ kind: 'answer', status, body, at });

  it('starts connecting and turns connected on a ready answer', () => {
    expect(initialHealth().status).toBe('connecting');
    expect(sut([answer(200, { status: 'ready', checks: { nats: true } })])).toEqual({ status: 'connected', checks: { nats: true }, reason: null, checkedAt: 1, everConnected: true });
  });

  it('is degraded when the gateway answers but a dependency is not ready', () => {
    const s = sut([answer(200, { status: 'ready', checks: { nats: true } }), answer(503, { status: 'not_ready', checks: { nats: false, db: true } }, 2)]);
    expect(s).toMatchObject({ status: 'degraded', checks: { nats: false, db: true }, reason: 'nats not ready', checkedAt: 2, everConnected: true });
  });

  it('reads the checks from inside an error envelope too', () => {
    expect(sut([answer(503, { error: { code: 'unavailable', message: 'x', details: { checks: { nats: false } } } })])).toMatchObject({ status: 'degraded', reason: 'nats not ready' });
  });

  it('is degraded with the status when a failed answer says nothing more', () => {
    expect(sut([answer(500, { error: { code: 'internal', message: 'Service Unavailable Exception' } })])).toMatchObject({ status: 'degraded', reason: 'gateway answered 500' });
  });

  it('is offline when nothing answers, or only a proxy does', () => {
    expect(sut([{ kind: 'no_answer', reason: 'network', at: 3 }])).toMatchObject({ status: 'offline', reason: 'gateway unreachable', checkedAt: 3 });
    expect(sut([{ kind: 'no_answer', reason: 'timeout', at: 3 }])).toMatchObject({ status: 'offline', reason: 'gateway did not answer in time' });
    expect(sut([answer(502, 'Bad Gateway')])).toMatchObject({ status: 'offline' });
  });

  it('comes back to connected', () => {
    expect(sut([{ kind: 'no_answer', reason: 'network', at: 1 }, answer(200, { status: 'ready', checks: {} }, 2)])).toMatchObject({ status: 'connected', reason: null });
  });
});
