import type { MemberView } from '@baton/contracts';
import { candidates, type UserSummary } from './members-api';

describe(candidates.name, () => {
  it('offers the users who are not members yet, by name', () => {
    const users: UserSummary[] = [
      { id: 'u3', name: 'Zoe', role: 'viewer' },
      { id: 'u1', name: 'Ada', role: 'operator' },
      { id: 'u2', name: 'Bob', role: 'operator' },
    ];
    const members = [{ userId: 'u2' } as MemberView];
    expect(candidates(users, members).map((u) => u.id)).toEqual(['u1', 'u3']);
  });
});
