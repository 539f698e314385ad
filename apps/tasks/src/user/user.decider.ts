import {
  ChangeUserRole,
  CreateUser,
  DomainError,
  IssueUserToken,
  RevokeUserToken,
  UserCreated,
  UserRoleChanged,
  UserTokenIssued,
  UserTokenRevoked,
  type CommandOf,
  type Decider,
  type NewEvent,
  type Role,
  type UserEvent,
} from '@baton/events';

export type UserState =
  | { status: 'absent' }
  | { status: 'active'; name: string; role: Role; tokens: Map<string, { hash: string; revoked: boolean }> };

export type UserCommand = CommandOf<typeof CreateUser> | CommandOf<typeof ChangeUserRole> | CommandOf<typeof IssueUserToken> | CommandOf<typeof RevokeUserToken>;

function existing(state: UserState, id: string): Extract<UserState, { status: 'active' }> {
  if (state.status === 'absent') throw new DomainError('not_found', `user ${id} does not exist`, { userId: id });
  return state;
}

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  aggregate: 'user',
  commands: [CreateUser, ChangeUserRole, IssueUserToken, RevokeUserToken],
  aggregateIdOf: (c) => c.data.userId,
  initialState: () => ({ status: 'absent' }),

  decide(command, state): NewEvent[] {
    switch (command.type) {
      case 'user.create': {
        if (state.status !== 'absent') throw new DomainError('conflict', `user ${command.data.userId} already exists`, { userId: command.data.userId });
        const { name, role, token } = command.data;
        return [UserCreated({ name, role }), UserTokenIssued({ tokenId: token.tokenId, tokenHash: token.tokenHash, label: token.label })];
      }
      case 'user.change_role': {
        const user = existing(state, command.data.userId);
        return user.role === command.data.role ? [] : [UserRoleChanged({ from: user.role, to: command.data.role })];
      }
      case 'user.issue_token': {
        const user = existing(state, command.data.userId);
        if (user.tokens.has(command.data.tokenId)) throw new DomainError('conflict', `token ${command.data.tokenId} already exists`, { tokenId: command.data.tokenId });
        const { tokenId, tokenHash, label } = command.data;
        return [UserTokenIssued({ tokenId, tokenHash, label })];
      }
      case 'user.revoke_token': {
        const user = existing(state, command.data.userId);
        const token = user.tokens.get(command.data.tokenId);
        if (!token) throw new DomainError('not_found', `token ${command.data.tokenId} does not exist`, { tokenId: command.data.tokenId });
        return token.revoked ? [] : [UserTokenRevoked({ tokenId: command.data.tokenId })];
      }
      default: {
        const unknown: never = command;
        throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
      }
    }
  },

  evolve(state, event): UserState {
    switch (event.type) {
      case 'user.created':
        return { status: 'active', name: event.data.name, role: event.data.role, tokens: new Map() };
      case 'user.role_changed':
        return state.status === 'absent' ? state : { ...state, role: event.data.to };
      case 'user.token_issued':
        return state.status === 'absent' ? state : { ...state, tokens: new Map(state.tokens).set(event.data.tokenId, { hash: event.data.tokenHash, revoked: false }) };
      case 'user.token_revoked': {
        if (state.status === 'absent') return state;
        const token = state.tokens.get(event.data.tokenId);
        return token ? { ...state, tokens: new Map(state.tokens).set(event.data.tokenId, { ...token, revoked: true }) } : state;
      }
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  },
};
