import { UserCreated, UserRoleChanged, UserTokenIssued, UserTokenRevoked, USER_DIRECTORY_ID, type DomainEvent, type NewEvent, type RecordedEvent } from '@baton/events';
import { foldAfter } from '@baton/projections';
import { recorded } from '@baton/testing';
import type { UserRow, UserTokenRow } from './users.entities';
import { usersProjection, userTokensProjection } from './users.projection';

const hash = 'a'.repeat(64);
const at = (aggregate: { type: 'user'; id: string }, events: NewEvent[], from = 1) =>
  events.map((e, i) => ({ ...recorded(aggregate, e), position: { seq: from + i } }) as RecordedEvent<DomainEvent>);

// The same story told twice: on the user's own subject (before the directory), and on the directory with `userId`.
const legacy = () =>
  at({ type: 'user', id: 'u1' }, [
    UserCreated({ name: 'Ada', role: 'operator' }),
    UserTokenIssued({ tokenId: 't1', tokenHash: hash, label: 'cli' }),
    UserRoleChanged({ from: 'operator', to: 'admin' }),
    UserTokenRevoked({ tokenId: 't1' }),
  ]);
const directory = () =>
  at({ type: 'user', id: USER_DIRECTORY_ID }, [
    UserCreated({ userId: 'u1', name: 'Ada', role: 'operator' }),
    UserTokenIssued({ userId: 'u1', tokenId: 't1', tokenHash: hash, label: 'cli' }),
    UserRoleChanged({ userId: 'u1', from: 'operator', to: 'admin' }),
    UserTokenRevoked({ userId: 'u1', tokenId: 't1' }),
  ]);

describe('usersProjection and userTokensProjection', () => {
  it.each([
    ['its own subject', legacy],
    ['the directory', directory],
  ])('folds a user told on %s into the same rows, once even when delivered twice', (_label, story) => {
    const users = new Map<string, UserRow | null>();
    const tokens = new Map<string, UserTokenRow | null>();
    for (let i = 0; i < 2; i++) {
      foldAfter(usersProjection, users, i ? 4 : 0, story());
      foldAfter(userTokensProjection, tokens, i ? 4 : 0, story());
    }
    expect([...users.keys()]).toEqual(['u1']);
    expect(users.get('u1')).toMatchObject({ id: 'u1', name: 'Ada', role: 'admin', eventCount: 2 });
    expect(tokens.get('t1')).toMatchObject({ id: 't1', userId: 'u1', revoked: true });
  });

  it("keeps a provider user's identity and its token's expiry; tokens an admin issued never expire", () => {
    const identity = { issuer: 'https://idp.example', subject: 'alice' };
    const story = at({ type: 'user', id: USER_DIRECTORY_ID }, [
      UserCreated({ userId: 'u2', name: 'Alice', role: 'viewer', identity }),
      UserTokenIssued({ userId: 'u2', tokenId: 't2', tokenHash: hash, label: 'sign-in', expiresAt: '2030-01-01T00:00:00.000Z' }),
      UserTokenIssued({ userId: 'u2', tokenId: 't3', tokenHash: hash, label: 'cli' }),
    ]);
    const users = new Map<string, UserRow | null>();
    const tokens = new Map<string, UserTokenRow | null>();
    foldAfter(usersProjection, users, 0, story);
    foldAfter(userTokensProjection, tokens, 0, story);
    expect(users.get('u2')).toMatchObject({ issuer: 'https://idp.example', subject: 'alice' });
    expect(tokens.get('t2')).toMatchObject({ expiresAt: '2030-01-01T00:00:00.000Z' });
    expect(tokens.get('t3')).toMatchObject({ expiresAt: null });
  });
});
