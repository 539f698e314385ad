import {
  BootstrapAdmin,
  ChangeUserRole,
  CreateUser,
  DomainError,
  IssueUserToken,
  RevokeUserToken,
  SignInExternal,
  UserCreated,
  UserRoleChanged,
  UserTokenIssued,
  UserTokenRevoked,
  USER_DIRECTORY_ID,
  userIdOf,
  type CommandOf,
  type Decider,
  type NewEvent,
  type Role,
  type UserEvent,
} from '@baton/events';

export interface UserEntry {
  name: string;
  role: Role;
  tokens: Map<string, { hash: string; revoked: boolean }>;
  /** Signs in through an OpenID Connect provider (docs/decisions/0028). */
  external: boolean;
}

/**
 * Every user at once (docs/decisions/0022): "an admin can still sign in" is a rule across users,
 * so all of them are decided on one subject and the rule holds under its optimistic concurrency.
 */
export interface UsersState {
  users: Map<string, UserEntry>;
  /** Token id → its user: token ids are unique across users (the token read model is keyed by them). */
  tokenOwners: Map<string, string>;
  /** `issuer` + newline + `subject` → the user signed in with that identity. */
  identities: Map<string, string>;
}

export type UserCommand =
  | CommandOf<typeof CreateUser>
  | CommandOf<typeof ChangeUserRole>
  | CommandOf<typeof IssueUserToken>
  | CommandOf<typeof RevokeUserToken>
  | CommandOf<typeof BootstrapAdmin>
  | CommandOf<typeof SignInExternal>;

const identityKey = (identity: { issuer: string; subject: string }) => `${identity.issuer}\n${identity.subject}`;

function existing(state: UsersState, id: string): UserEntry {
  const user = state.users.get(id);
  if (!user) throw new DomainError('not_found', `user ${id} does not exist`, { userId: id });
  return user;
}

function unusedToken(state: UsersState, tokenId: string): void {
  if (state.tokenOwners.has(tokenId)) throw new DomainError('conflict', `token ${tokenId} already exists`, { tokenId });
}

const liveTokens = (user: UserEntry) => [...user.tokens.values()].filter((t) => !t.revoked).length;
/*
 * A user of the provider signs in again whenever its token expired, so it counts as able to
 * sign in. A token's expiry is not looked at: the decider has no clock, and counting an expired
 * token as live only keeps someone admin a little longer, never takes the last admin away.
 */
const canSignIn = (user: UserEntry) => user.external || liveTokens(user) > 0;

/** Admins who can sign in and administer, other than `except`. */
function signInAdmins(state: UsersState, except?: string): number {
  let n = 0;
  for (const [id, user] of state.users) if (id !== except && user.role === 'admin' && canSignIn(user)) n++;
  return n;
}

function lastAdmin(userId: string, what: string): DomainError {
  return new DomainError('conflict', `user ${userId} is the last admin who can sign in: ${what}`, { userId, rule: 'last_admin' });
}

function bootstrap(state: UsersState, { userId, name, token }: CommandOf<typeof BootstrapAdmin>['data']): NewEvent[] {
  const events: NewEvent[] = [];
  const heldBy = state.tokenOwners.get(token.tokenId);
  let holder: { id: string; role: Role; live: boolean };
  if (heldBy === undefined) {
    // The token is new: issued to the bootstrap user, made first if need be (as an admin).
    const user = state.users.get(userId);
    if (!user) events.push(UserCreated({ userId, name, role: 'admin' }));
    events.push(UserTokenIssued({ userId, tokenId: token.tokenId, tokenHash: token.tokenHash, label: token.label }));
    holder = { id: userId, role: user?.role ?? 'admin', live: true };
  } else {
    const user = state.users.get(heldBy)!;
    // A revoked bootstrap token stays revoked: someone chose to; a new token value is the way back.
    holder = { id: heldBy, role: user.role, live: !user.tokens.get(token.tokenId)!.revoked };
  }
  if (holder.live && holder.role !== 'admin' && signInAdmins(state) === 0) {
    events.push(UserRoleChanged({ userId: holder.id, from: holder.role, to: 'admin' }));
  }
  return events;
}

/**
 * The identity's user, made on its first sign-in; its role follows the provider's groups on
 * every sign-in except that the last admin who can sign in stays admin (0022's rule: someone
 * must be able to administer; an admin changes it once another admin exists).
 */
function signInExternal(state: UsersState, { userId, name, identity, role, token }: CommandOf<typeof SignInExternal>['data']): NewEvent[] {
  unusedToken(state, token.tokenId);
  const issued = (id: string) => UserTokenIssued({ userId: id, tokenId: token.tokenId, tokenHash: token.tokenHash, label: token.label, expiresAt: token.expiresAt });
  const knownAs = state.identities.get(identityKey(identity));
  if (knownAs === undefined) {
    if (state.users.has(userId)) throw new DomainError('conflict', `user ${userId} already exists and signs in otherwise`, { userId });
    return [UserCreated({ userId, name, role, identity }), issued(userId)];
  }
  const user = state.users.get(knownAs)!;
  const lastAdmin = user.role === 'admin' && signInAdmins(state, knownAs) === 0;
  const keep = user.role === role || lastAdmin;
  return [...(keep ? [] : [UserRoleChanged({ userId: knownAs, from: user.role, to: role })]), issued(knownAs)];
}

function withUser(state: UsersState, id: string, user: UserEntry, tokenOwners = state.tokenOwners, identities = state.identities): UsersState {
  return { users: new Map(state.users).set(id, user), tokenOwners, identities };
}

export const userDecider: Decider<UsersState, UserCommand, UserEvent> = {
  aggregate: 'user',
  // Users decided before the directory live on `user.<id>`: their history is folded in too.
  stateFrom: 'aggregate_type',
  commands: [CreateUser, ChangeUserRole, IssueUserToken, RevokeUserToken, BootstrapAdmin, SignInExternal],
  aggregateIdOf: () => USER_DIRECTORY_ID,
  initialState: () => ({ users: new Map(), tokenOwners: new Map(), identities: new Map() }),

  decide(command, state): NewEvent[] {
    switch (command.type) {
      case 'user.create': {
        const { userId, name, role, token } = command.data;
        if (state.users.has(userId)) throw new DomainError('conflict', `user ${userId} already exists`, { userId });
        unusedToken(state, token.tokenId);
        return [UserCreated({ userId, name, role }), UserTokenIssued({ userId, tokenId: token.tokenId, tokenHash: token.tokenHash, label: token.label })];
      }
      case 'user.change_role': {
        const { userId, role } = command.data;
        const user = existing(state, userId);
        if (user.role === role) return [];
        if (user.role === 'admin' && canSignIn(user) && signInAdmins(state, userId) === 0) {
          throw lastAdmin(userId, `make another user admin before changing ${userId}'s role`);
        }
        return [UserRoleChanged({ userId, from: user.role, to: role })];
      }
      case 'user.issue_token': {
        const { userId, tokenId, tokenHash, label } = command.data;
        existing(state, userId);
        unusedToken(state, tokenId);
        return [UserTokenIssued({ userId, tokenId, tokenHash, label })];
      }
      case 'user.revoke_token': {
        const { userId, tokenId } = command.data;
        const user = existing(state, userId);
        const token = user.tokens.get(tokenId);
        if (!token) throw new DomainError('not_found', `token ${tokenId} does not exist`, { tokenId });
        if (token.revoked) return [];
        if (user.role === 'admin' && !user.external && liveTokens(user) === 1 && signInAdmins(state, userId) === 0) {
          throw lastAdmin(userId, `token ${tokenId} is its last; issue another token, or make another user admin, first`);
        }
        return [UserTokenRevoked({ userId, tokenId })];
      }
      case 'user.bootstrap_admin':
        return bootstrap(state, command.data);
      case 'user.sign_in_external':
        return signInExternal(state, command.data);
      default: {
        const unknown: never = command;
        throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
      }
    }
  },

  evolve(state, event): UsersState {
    const id = userIdOf(event);
    const user = state.users.get(id);
    switch (event.type) {
      case 'user.created': {
        const { identity } = event.data;
        const identities = identity ? new Map(state.identities).set(identityKey(identity), id) : state.identities;
        return withUser(state, id, { name: event.data.name, role: event.data.role, tokens: new Map(), external: !!identity }, state.tokenOwners, identities);
      }
      case 'user.role_changed':
        return user ? withUser(state, id, { ...user, role: event.data.to }) : state;
      case 'user.token_issued': {
        if (!user) return state;
        const tokens = new Map(user.tokens).set(event.data.tokenId, { hash: event.data.tokenHash, revoked: false });
        return withUser(state, id, { ...user, tokens }, new Map(state.tokenOwners).set(event.data.tokenId, id));
      }
      case 'user.token_revoked': {
        const token = user?.tokens.get(event.data.tokenId);
        return user && token ? withUser(state, id, { ...user, tokens: new Map(user.tokens).set(event.data.tokenId, { ...token, revoked: true }) }) : state;
      }
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  },
};
