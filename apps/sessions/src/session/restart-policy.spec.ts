import { decideRestart, type RestartInput } from './restart-policy';

const policy = (mode: 'never' | 'on-failure' | 'always', o: Partial<RestartInput['policy']> = {}) => ({ mode, backoffMs: 1_000, maxBackoffMs: 10_000, maxRestarts: 5, resetAfterMs: null, ...o });
const now = '2026-01-01T00:00:00.000Z';
const input = (o: Partial<RestartInput>): RestartInput => ({ policy: policy('on-failure'), restarts: 0, failed: true, lastRunMs: 1_000, now, ...o });

describe(decideRestart.name, () => {
  it('never restarts with mode never', () => {
    expect(decideRestart(input({ policy: policy('never') }))).toEqual({ restart: false, reason: 'restart policy is never' });
  });

  it('on-failure restarts failures only; always restarts clean ends too', () => {
    expect(decideRestart(input({ failed: false }))).toEqual({ restart: false, reason: 'it ended cleanly' });
    expect(decideRestart(input({ failed: true }))).toMatchObject({ restart: true, number: 1 });
    expect(decideRestart(input({ policy: policy('always'), failed: false }))).toMatchObject({ restart: true, number: 1 });
  });

  it('backs off exponentially from backoffMs, capped at maxBackoffMs', () => {
    const delays = [0, 1, 2, 3, 4].map((restarts) => {
      const d = decideRestart(input({ restarts }));
      return d.restart ? d.delayMs : null;
    });
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 10_000]);
    expect(decideRestart(input({ restarts: 2 }))).toEqual({ restart: true, number: 3, delayMs: 4_000, notBefore: '2026-01-01T00:00:04.000Z' });
  });

  it('gives up after maxRestarts in a row', () => {
    expect(decideRestart(input({ restarts: 5 }))).toEqual({ restart: false, reason: 'gave up after 5 restarts' });
    expect(decideRestart(input({ restarts: 1, policy: policy('always', { maxRestarts: 1 }) }))).toEqual({ restart: false, reason: 'gave up after 1 restart' });
    expect(decideRestart(input({ policy: policy('always', { maxRestarts: 0 }) }))).toEqual({ restart: false, reason: 'no restarts allowed' });
  });

  it('a run that lasted resetAfterMs starts the count over', () => {
    const p = policy('on-failure', { resetAfterMs: 60_000, maxRestarts: 2 });
    expect(decideRestart(input({ policy: p, restarts: 2, lastRunMs: 59_999 }))).toMatchObject({ restart: false });
    expect(decideRestart(input({ policy: p, restarts: 2, lastRunMs: 60_000 }))).toEqual({ restart: true, number: 1, delayMs: 1_000, notBefore: '2026-01-01T00:00:01.000Z' });
    expect(decideRestart(input({ policy: p, restarts: 2, lastRunMs: null }))).toMatchObject({ restart: false });
  });

  it('a forced restart (stall action) ignores the mode but not the limit', () => {
    expect(decideRestart(input({ policy: policy('never'), forced: true }))).toMatchObject({ restart: true });
    expect(decideRestart(input({ policy: policy('never', { maxRestarts: 0 }), forced: true }))).toMatchObject({ restart: false });
  });
});
