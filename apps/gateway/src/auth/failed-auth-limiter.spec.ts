import { FailedAuthLimiter } from './failed-auth-limiter';

describe(FailedAuthLimiter.name, () => {
  let now = 0;
  let n = 0;
  const sut = () => new FailedAuthLimiter({ limit: 3, windowMs: 60_000 }, () => now);
  beforeEach(() => (now = 1_000_000));

  it('lets a client fail `limit` times, then tells it to wait until one attempt has refilled', () => {
    const limiter = sut();
    expect([limiter.retryAfter('a'), limiter.failed('a', `t${++n}`), limiter.failed('a', `t${++n}`)]).toEqual([0, 0, 0]);
    expect(limiter.failed('a', `t${++n}`)).toBe(20); // 60 s / 3 attempts
    expect(limiter.retryAfter('a')).toBe(20);
    now += 10_000;
    expect(limiter.retryAfter('a')).toBe(10);
    now += 10_000;
    expect(limiter.retryAfter('a')).toBe(0);
    expect(limiter.failed('a', `t${++n}`)).toBe(20);
  });

  it('counts a token refused again only once', () => {
    const limiter = sut();
    expect([limiter.failed('a', 'same'), limiter.failed('a', 'same'), limiter.failed('a', 'same'), limiter.failed('a', 'other')]).toEqual([0, 0, 0, 0]);
    expect(limiter.failed('a', 'third')).toBe(20);
  });

  it('keeps clients apart', () => {
    const limiter = sut();
    for (let i = 0; i < 3; i++) limiter.failed('a', `t${++n}`);
    expect(limiter.retryAfter('a')).toBeGreaterThan(0);
    expect(limiter.retryAfter('b')).toBe(0);
  });

  it('forgives a whole burst after the window', () => {
    const limiter = sut();
    for (let i = 0; i < 3; i++) limiter.failed('a', `t${++n}`);
    now += 60_000;
    expect([limiter.failed('a', `t${++n}`), limiter.failed('a', `t${++n}`), limiter.failed('a', `t${++n}`)]).toEqual([0, 0, 20]);
  });
});
