import { UserCreated, UserRoleChanged, UserTokenIssued, UserTokenRevoked } from '@baton/events';
import { command, deciderSpec, recorded } from '@baton/testing';
import { userDecider, type UserCommand } from './user.decider';

const u1 = { type: 'user' as const, id: 'u1' };
const hash = 'a'.repeat(64);
const created = [recorded(u1, UserCreated({ name: 'Ada', role: 'operator' })), recorded(u1, UserTokenIssued({ tokenId: 't1', tokenHash: hash, label: 'cli' }))];
const cmd = (type: string, data: object) => command(type, { userId: 'u1', ...data }) as UserCommand;

describe('userDecider', () => {
  const sut = deciderSpec(userDecider);

  it('creates a user with its first token', () => {
    sut.given([]).when(cmd('user.create', { name: 'Ada', role: 'operator', token: { tokenId: 't1', tokenHash: hash, label: 'cli' } })).then(
      created.map(({ type, data }) => ({ type, data })),
    );
  });

  it('refuses to create the same user twice (the bootstrap admin is created once)', () => {
    sut.given(created).when(cmd('user.create', { name: 'X', role: 'admin', token: { tokenId: 't9', tokenHash: hash, label: '' } })).thenThrows('conflict');
  });

  it('changes a role, and does nothing when it is the same', () => {
    sut.given(created).when(cmd('user.change_role', { role: 'viewer' })).then([UserRoleChanged({ from: 'operator', to: 'viewer' })]);
    sut.given(created).when(cmd('user.change_role', { role: 'operator' })).then([]);
  });

  it('issues more tokens but never reuses a token id', () => {
    sut.given(created).when(cmd('user.issue_token', { tokenId: 't2', tokenHash: 'b'.repeat(64), label: '' })).then([
      UserTokenIssued({ tokenId: 't2', tokenHash: 'b'.repeat(64), label: '' }),
    ]);
    sut.given(created).when(cmd('user.issue_token', { tokenId: 't1', tokenHash: 'b'.repeat(64), label: '' })).thenThrows('conflict');
  });

  it('revokes a token once; an unknown token is not found', () => {
    sut.given(created).when(cmd('user.revoke_token', { tokenId: 't1' })).then([UserTokenRevoked({ tokenId: 't1' })]);
    sut.given([...created, recorded(u1, UserTokenRevoked({ tokenId: 't1' }))]).when(cmd('user.revoke_token', { tokenId: 't1' })).then([]);
    sut.given(created).when(cmd('user.revoke_token', { tokenId: 'nope' })).thenThrows('not_found');
  });
});
