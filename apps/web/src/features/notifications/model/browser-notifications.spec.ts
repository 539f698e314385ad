import type { SessionView } from '@baton/contracts';
import { answerPath, newlyWaiting } from './browser-notifications';
import { badgeText } from './favicon-badge';

const s = (id: string) => ({ id, projectId: 'p 1' }) as SessionView;

describe(newlyWaiting.name, () => {
  it('announces nothing at the first look, then only sessions that started waiting since the last', () => {
    expect(newlyWaiting(null, [s('a'), s('b')])).toEqual([]);
    expect(newlyWaiting(new Set(['a']), [s('a'), s('b')]).map((x) => x.id)).toEqual(['b']);
    expect(newlyWaiting(new Set(['a', 'b']), [s('a')])).toEqual([]);
    // Answered, then waiting again: announced again.
    expect(newlyWaiting(new Set([]), [s('a')]).map((x) => x.id)).toEqual(['a']);
  });

  it("opens the session's answer box", () => {
    expect(answerPath(s('s1'))).toBe('/projects/p%201/sessions/s1#answer');
  });

  it('badges the count, 99+ past 99', () => {
    expect([1, 42, 99, 100].map(badgeText)).toEqual(['1', '42', '99', '99+']);
  });
});
