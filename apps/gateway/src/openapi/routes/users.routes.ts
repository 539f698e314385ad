import { z } from 'zod';
import { ChangeRoleRequest, CreateUserRequest, IdParams, IssueTokenRequest, MeView, SeqOnly, TokenIssued, UserCreated, UserList, UserTokenParams } from '@baton/contracts';
import { route } from '../route';

/*
 * Users are served from this registry like every other route. Health is served by the
 * service kit's controller (shared by every service), so it is only documented here;
 * the route-coverage spec keeps the list complete.
 */
const tag = 'users';
const external = true;

export const UserRoutes = {
  me: route({ tag, operationId: 'me', method: 'get', path: '/api/me', summary: 'Who this token belongs to', status: 200, response: MeView }),
  listUsers: route({ tag, role: 'admin', operationId: 'listUsers', method: 'get', path: '/api/users', summary: 'List users and their tokens (never the tokens themselves)', status: 200, response: UserList }),
  createUser: route({
    tag,
    role: 'admin',
    mintsSecret: true,
    operationId: 'createUser',
    method: 'post',
    path: '/api/users',
    summary: 'Create a user with a first token',
    body: CreateUserRequest,
    status: 201,
    response: UserCreated,
    errors: [409],
    commands: ['user.create'],
  }),
  issueUserToken: route({
    tag,
    mintsSecret: true,
    operationId: 'issueUserToken',
    method: 'post',
    path: '/api/users/:id/tokens',
    summary: 'Issue a token (yourself, or anyone as an admin)',
    params: IdParams,
    body: IssueTokenRequest,
    status: 201,
    response: TokenIssued,
    commands: ['user.issue_token'],
  }),
  revokeUserToken: route({
    tag,
    idempotent: true,
    operationId: 'revokeUserToken',
    method: 'delete',
    path: '/api/users/:id/tokens/:tokenId',
    summary: 'Revoke a token',
    description: '409 when it is the last token of the last admin who can sign in.',
    params: UserTokenParams,
    status: 200,
    response: SeqOnly,
    errors: [409],
    commands: ['user.revoke_token'],
  }),
  changeUserRole: route({
    tag,
    role: 'admin',
    idempotent: true,
    operationId: 'changeUserRole',
    method: 'post',
    path: '/api/users/:id/role',
    summary: "Change a user's role",
    description: '409 when it would leave no admin who can sign in (the last admin cannot step down, not even itself).',
    params: IdParams,
    body: ChangeRoleRequest,
    status: 200,
    response: SeqOnly,
    errors: [409],
    commands: ['user.change_role'],
  }),
};

const Health = z.strictObject({ status: z.literal('ok') });
const Readiness = z.strictObject({ status: z.literal('ready'), checks: z.record(z.string(), z.boolean()) });

export const HealthRoutes = {
  health: route({ tag: 'health', external, public: true, operationId: 'health', method: 'get', path: '/health', summary: 'The process answers', status: 200, response: Health }),
  healthLive: route({ tag: 'health', external, public: true, operationId: 'healthLive', method: 'get', path: '/health/live', summary: 'Liveness', status: 200, response: Health }),
  healthReady: route({
    tag: 'health',
    external,
    public: true,
    operationId: 'healthReady',
    method: 'get',
    path: '/health/ready',
    summary: 'Readiness: NATS answers',
    status: 200,
    response: Readiness,
    errors: [503],
  }),
};
