import { waitedFor } from './train-rows';

describe('waitedFor', () => {
  const now = Date.parse('2026-12-08T12:00:00Z');
  it('says how long a car has waited, in the largest unit that reads well', () => {
    expect(waitedFor(null, now)).toBe('—');
    expect(waitedFor('2026-12-08T11:59:18Z', now)).toBe('42s');
    expect(waitedFor('2026-12-08T11:53:00Z', now)).toBe('7m');
    expect(waitedFor('2026-12-08T09:00:00Z', now)).toBe('3h');
    expect(waitedFor('2026-12-05T12:00:00Z', now)).toBe('3d');
    expect(waitedFor('2026-12-08T12:00:30Z', now)).toBe('0s');
  });
});
