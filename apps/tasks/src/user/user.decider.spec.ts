import { UserCreated, UserRoleChanged, UserTokenIssued, UserTokenRevoked, USER_DIRECTORY_ID, type NewEvent, type Role, type UserEvent } from '@baton/events';
import { command, deciderSpec, recorded } from '@baton/testing';
import { userDecider, type UserCommand } from './user.decider';

const directory = { type: 'user' as const, id: USER_DIRECTORY_ID };
const hash = 'a'.repeat(64);
const on = (events: NewEvent[]) => events.map((e) => recorded(directory, e) as UserEvent);
const user = (userId: string, role: Role, tokenId = `${userId}-t1`) => [UserCreated({ userId, name: userId, role }), UserTokenIssued({ userId, tokenId, tokenHash: hash, label: '' })];
const revoked = (userId: string, tokenId = `${userId}-t1`) => UserTokenRevoked({ userId, tokenId });
const cmd = (type: string, data: object) => command(type, data) as UserCommand;
const changeRole = (userId: string, role: Role) => cmd('user.change_role', { userId, role });
const bootstrapToken = { tokenId: 'env-0123456789abcdef', tokenHash: 'e'.repeat(64), label: 'BATON_BOOTSTRAP_TOKEN' };
const bootstrap = () => cmd('user.bootstrap_admin', { userId: 'admin', name: 'admin', token: bootstrapToken });

describe('userDecider', () => {
  const sut = deciderSpec(userDecider);
  const ada = on(user('u1', 'operator'));

  it('decides every user on the one directory subject', () => {
    expect(userDecider.aggregateIdOf(changeRole('u1', 'viewer'))).toBe(USER_DIRECTORY_ID);
    expect(userDecider.aggregateIdOf(cmd('user.create', { userId: 'u2' }))).toBe(USER_DIRECTORY_ID);
    expect(userDecider.stateFrom).toBe('aggregate_type');
  });

  it('creates a user with its first token, naming the user in each event', () => {
    sut.given([]).when(cmd('user.create', { userId: 'u1', name: 'u1', role: 'operator', token: { tokenId: 'u1-t1', tokenHash: hash, label: '' } })).then(user('u1', 'operator'));
  });

  it('refuses to create the same user twice, or to reuse another user\'s token id', () => {
    sut.given(ada).when(cmd('user.create', { userId: 'u1', name: 'X', role: 'admin', token: { tokenId: 't9', tokenHash: hash, label: '' } })).thenThrows('conflict');
    sut.given(ada).when(cmd('user.create', { userId: 'u2', name: 'X', role: 'admin', token: { tokenId: 'u1-t1', tokenHash: hash, label: '' } })).thenThrows('conflict');
  });

  it('changes a role, and does nothing when it is the same', () => {
    sut.given(ada).when(changeRole('u1', 'viewer')).then([UserRoleChanged({ userId: 'u1', from: 'operator', to: 'viewer' })]);
    sut.given(ada).when(changeRole('u1', 'operator')).then([]);
    sut.given(ada).when(changeRole('nope', 'operator')).thenThrows('not_found');
  });

  it('issues more tokens but never reuses a token id, not even another user\'s', () => {
    const both = on([...user('u1', 'operator'), ...user('u2', 'viewer')]);
    sut.given(both).when(cmd('user.issue_token', { userId: 'u1', tokenId: 't2', tokenHash: 'b'.repeat(64), label: '' })).then([
      UserTokenIssued({ userId: 'u1', tokenId: 't2', tokenHash: 'b'.repeat(64), label: '' }),
    ]);
    sut.given(both).when(cmd('user.issue_token', { userId: 'u1', tokenId: 'u1-t1', tokenHash: 'b'.repeat(64), label: '' })).thenThrows('conflict');
    sut.given(both).when(cmd('user.issue_token', { userId: 'u1', tokenId: 'u2-t1', tokenHash: 'b'.repeat(64), label: '' })).thenThrows('conflict');
  });

  it('revokes a token once; an unknown token is not found', () => {
    sut.given(ada).when(cmd('user.revoke_token', { userId: 'u1', tokenId: 'u1-t1' })).then([revoked('u1')]);
    sut.given(on([...user('u1', 'operator'), revoked('u1')])).when(cmd('user.revoke_token', { userId: 'u1', tokenId: 'u1-t1' })).then([]);
    sut.given(ada).when(cmd('user.revoke_token', { userId: 'u1', tokenId: 'nope' })).thenThrows('not_found');
  });

  describe('the last admin who can sign in', () => {
    const alone = on([...user('a1', 'admin'), ...user('v1', 'viewer')]);

    it('cannot be demoted, not even by itself, and the refusal says why', () => {
      sut.given(alone).when(changeRole('a1', 'viewer')).thenThrows('conflict', /a1 is the last admin who can sign in/);
      sut.given(alone).when(changeRole('a1', 'operator')).thenThrows('conflict', /make another user admin/);
    });

    it('cannot revoke its last token', () => {
      sut.given(alone).when(cmd('user.revoke_token', { userId: 'a1', tokenId: 'a1-t1' })).thenThrows('conflict', /last admin who can sign in: token a1-t1 is its last/);
      const twoTokens = on([...user('a1', 'admin'), UserTokenIssued({ userId: 'a1', tokenId: 'a1-t2', tokenHash: hash, label: '' })]);
      sut.given(twoTokens).when(cmd('user.revoke_token', { userId: 'a1', tokenId: 'a1-t1' })).then([revoked('a1')]);
    });

    it('can step down once another admin can sign in', () => {
      const two = on([...user('a1', 'admin'), ...user('v1', 'viewer'), UserRoleChanged({ userId: 'v1', from: 'viewer', to: 'admin' })]);
      sut.given(two).when(changeRole('a1', 'viewer')).then([UserRoleChanged({ userId: 'a1', from: 'admin', to: 'viewer' })]);
      sut.given(two).when(cmd('user.revoke_token', { userId: 'a1', tokenId: 'a1-t1' })).then([revoked('a1')]);
    });

    it('does not count an admin whose tokens are all revoked', () => {
      const other = on([...user('a1', 'admin'), ...user('a2', 'admin'), revoked('a2')]);
      sut.given(other).when(changeRole('a1', 'viewer')).thenThrows('conflict', /a1 is the last admin/);
      // Demoting the admin who cannot sign in takes nothing away.
      sut.given(other).when(changeRole('a2', 'viewer')).then([UserRoleChanged({ userId: 'a2', from: 'admin', to: 'viewer' })]);
    });

    it('holds across users decided before the directory (one subject each, no userId)', () => {
      const legacy = [
        recorded({ type: 'user', id: 'admin' }, UserCreated({ name: 'admin', role: 'admin' })),
        recorded({ type: 'user', id: 'admin' }, UserTokenIssued({ tokenId: 'env-1', tokenHash: hash, label: '' })),
        recorded({ type: 'user', id: 'u1' }, UserCreated({ name: 'Ada', role: 'operator' })),
        recorded({ type: 'user', id: 'u1' }, UserTokenIssued({ tokenId: 'u1-t1', tokenHash: hash, label: '' })),
      ] as UserEvent[];
      sut.given(legacy).when(changeRole('admin', 'viewer')).thenThrows('conflict', /admin is the last admin/);
      sut.given(legacy).when(changeRole('u1', 'admin')).then([UserRoleChanged({ userId: 'u1', from: 'operator', to: 'admin' })]);
      sut.given([...legacy, ...on([UserRoleChanged({ userId: 'u1', from: 'operator', to: 'admin' })])]).when(changeRole('admin', 'viewer')).then([
        UserRoleChanged({ userId: 'admin', from: 'admin', to: 'viewer' }),
      ]);
    });
  });

  describe('the bootstrap token', () => {
    const issued = UserTokenIssued({ userId: 'admin', ...bootstrapToken });

    it('creates the bootstrap admin with its token on a first start', () => {
      sut.given([]).when(bootstrap()).then([UserCreated({ userId: 'admin', name: 'admin', role: 'admin' }), issued]);
    });

    it('does nothing on a restart while an admin can sign in', () => {
      sut.given(on([UserCreated({ userId: 'admin', name: 'admin', role: 'admin' }), issued])).when(bootstrap()).then([]);
      const demotedWhileOthersAdmin = on([UserCreated({ userId: 'admin', name: 'admin', role: 'admin' }), issued, ...user('a2', 'admin'), UserRoleChanged({ userId: 'admin', from: 'admin', to: 'viewer' })]);
      sut.given(demotedWhileOthersAdmin).when(bootstrap()).then([]);
    });

    it("makes the token's user admin again when no admin can sign in", () => {
      // The state the finding left behind: the last admin demoted itself (possible before this rule).
      const noAdmin = on([UserCreated({ userId: 'admin', name: 'admin', role: 'admin' }), issued, UserRoleChanged({ userId: 'admin', from: 'admin', to: 'viewer' })]);
      sut.given(noAdmin).when(bootstrap()).then([UserRoleChanged({ userId: 'admin', from: 'viewer', to: 'admin' })]);
      const adminsLockedOut = on([UserCreated({ userId: 'admin', name: 'admin', role: 'operator' }), issued, ...user('a2', 'admin'), revoked('a2')]);
      sut.given(adminsLockedOut).when(bootstrap()).then([UserRoleChanged({ userId: 'admin', from: 'operator', to: 'admin' })]);
    });

    it('gives a new token value to the bootstrap user, and makes it admin if none can sign in', () => {
      const oldToken = on([UserCreated({ userId: 'admin', name: 'admin', role: 'viewer' }), UserTokenIssued({ userId: 'admin', tokenId: 'env-old', tokenHash: hash, label: '' })]);
      sut.given(oldToken).when(bootstrap()).then([issued, UserRoleChanged({ userId: 'admin', from: 'viewer', to: 'admin' })]);
      sut.given([...oldToken, ...on(user('a2', 'admin'))]).when(bootstrap()).then([issued]);
    });

    it('never revives a revoked bootstrap token', () => {
      const revokedToken = on([UserCreated({ userId: 'admin', name: 'admin', role: 'viewer' }), issued, UserTokenRevoked({ userId: 'admin', tokenId: bootstrapToken.tokenId })]);
      sut.given(revokedToken).when(bootstrap()).then([]);
    });
  });

  describe('signing in through an OpenID Connect provider', () => {
    const identity = { issuer: 'https://idp.example', subject: 'alice-42' };
    const ssoToken = (n: number) => ({ tokenId: `sso-${n}`, tokenHash: String(n).repeat(64).slice(0, 64), label: 'sign-in', expiresAt: '2030-01-01T08:00:00.000Z' });
    const signIn = (role: Role, n = 1, over: object = {}) => cmd('user.sign_in_external', { userId: 'oidc-alice', name: 'Alice', identity, role, token: ssoToken(n), ...over });
    const issuedTo = (userId: string, n: number) => UserTokenIssued({ userId, ...ssoToken(n) });
    const alice = (role: Role) => on([UserCreated({ userId: 'oidc-alice', name: 'Alice', role, identity }), issuedTo('oidc-alice', 1)]);

    it('creates the user on its first sign-in, with its identity, its role and a token that expires', () => {
      sut.given(ada).when(signIn('operator')).then([UserCreated({ userId: 'oidc-alice', name: 'Alice', role: 'operator', identity }), issuedTo('oidc-alice', 1)]);
    });

    it('finds the same user by its identity on the next sign-in, whatever user id the gateway proposes', () => {
      sut.given(alice('operator')).when(signIn('operator', 2, { userId: 'oidc-other' })).then([issuedTo('oidc-alice', 2)]);
    });

    it("follows the provider's groups: the role changes with them", () => {
      sut.given([...ada, ...alice('viewer')]).when(signIn('operator', 2)).then([UserRoleChanged({ userId: 'oidc-alice', from: 'viewer', to: 'operator' }), issuedTo('oidc-alice', 2)]);
      sut.given([...on(user('a1', 'admin')), ...alice('admin')]).when(signIn('viewer', 2)).then([UserRoleChanged({ userId: 'oidc-alice', from: 'admin', to: 'viewer' }), issuedTo('oidc-alice', 2)]);
    });

    it('keeps the last admin who can sign in an admin, even when its groups no longer say so', () => {
      sut.given([...on([...user('a1', 'admin'), revoked('a1')]), ...alice('admin')]).when(signIn('viewer', 2)).then([issuedTo('oidc-alice', 2)]);
    });

    it('counts a user of the provider as an admin who can sign in, tokens or not', () => {
      sut.given([...on(user('a1', 'admin')), ...alice('admin')]).when(changeRole('a1', 'viewer')).then([UserRoleChanged({ userId: 'a1', from: 'admin', to: 'viewer' })]);
      sut.given([...on(user('a1', 'admin')), ...alice('admin')]).when(cmd('user.revoke_token', { userId: 'a1', tokenId: 'a1-t1' })).then([revoked('a1')]);
      sut.given([...on(user('a1', 'operator')), ...alice('admin')]).when(changeRole('oidc-alice', 'viewer')).thenThrows('conflict', /oidc-alice is the last admin/);
      // Its own tokens may all go: it signs in again through the provider.
      sut.given(alice('admin')).when(cmd('user.revoke_token', { userId: 'oidc-alice', tokenId: 'sso-1' })).then([UserTokenRevoked({ userId: 'oidc-alice', tokenId: 'sso-1' })]);
    });

    it('refuses a user id another user holds, and a token id already used', () => {
      sut.given(ada).when(signIn('viewer', 1, { userId: 'u1' })).thenThrows('conflict', /u1 already exists/);
      sut.given(alice('viewer')).when(signIn('viewer', 1)).thenThrows('conflict', /token sso-1 already exists/);
    });

    it('tells two providers apart: the same subject at another issuer is another user', () => {
      sut.given(alice('viewer')).when(signIn('viewer', 2, { userId: 'oidc-bob', identity: { issuer: 'https://other.example', subject: 'alice-42' } })).then([
        UserCreated({ userId: 'oidc-bob', name: 'Alice', role: 'viewer', identity: { issuer: 'https://other.example', subject: 'alice-42' } }),
        issuedTo('oidc-bob', 2),
      ]);
    });
  });
});
