import {
  applyDecorators,
  Body,
  createParamDecorator,
  HttpCode,
  Param,
  Query,
  RequestMapping,
  RequestMethod,
  SetMetadata,
  UseGuards,
  UseInterceptors,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';
import { Public, RequireRole } from '../auth/auth.decorators';
import { IdempotencyKey } from '../http/idempotency-key';
import { ApiError } from '../http/api-error';
import { bodyIssues } from '../http/request-body';
import { ProjectScopeGuard, ROUTE_SPEC } from '../membership/project-scope.guard';
import { routeScopedKey } from './ids';
import type { RouteSpec } from './route';

const METHODS: Record<RouteSpec['method'], RequestMethod> = {
  get: RequestMethod.GET,
  post: RequestMethod.POST,
  patch: RequestMethod.PATCH,
  delete: RequestMethod.DELETE,
};

/** Sets a text media type on success only: an error still leaves as JSON. */
class MediaType implements NestInterceptor {
  constructor(private readonly type: string) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((body: unknown) => {
        ctx.switchToHttp().getResponse<Response>().type(this.type);
        return body;
      }),
    );
  }
}

/** Where Route() leaves the route's operationId on its handler, for IdemKey. */
const OPERATION_ID = 'baton:operationId';

/** Refuses, with a 400 naming the fields, a body too deep for any route or sent to a route that takes none. */
class RequestBodyCheck implements CanActivate {
  constructor(private readonly takesBody: boolean) {}

  canActivate(ctx: ExecutionContext): boolean {
    const issues = bodyIssues(ctx.switchToHttp().getRequest<Request>().body, this.takesBody);
    if (issues.length) throw ApiError.validation(issues);
    return true;
  }
}

/**
 * Maps the handler to the route: method, path, status, media type and auth, all from the spec.
 * A route without a `body` refuses one (after auth: a stranger learns nothing about the route).
 */
export function Route(spec: RouteSpec): MethodDecorator {
  const decorators: (ClassDecorator | MethodDecorator | PropertyDecorator)[] = [
    RequestMapping({ path: spec.path, method: METHODS[spec.method] }),
    HttpCode(spec.status),
    // Then project membership (docs/decisions/0023), on input the body check let through.
    UseGuards(new RequestBodyCheck(spec.body !== undefined), ProjectScopeGuard),
    SetMetadata(OPERATION_ID, spec.operationId),
    SetMetadata(ROUTE_SPEC, spec),
  ];
  if ('mediaType' in spec.response) decorators.push(UseInterceptors(new MediaType(`${spec.response.mediaType}; charset=utf-8`)));
  if (spec.public) decorators.push(Public());
  if (spec.role) decorators.push(RequireRole(spec.role));
  return applyDecorators(...decorators) as MethodDecorator;
}

function required<T>(value: T | undefined, what: string, spec: RouteSpec): T {
  if (value === undefined) throw new Error(`route ${spec.operationId} has no ${what}`);
  return value;
}

/** The path parameters, validated with the route's schema (400 naming the parameter). */
export const RouteParams = (spec: RouteSpec): ParameterDecorator => Param({ schema: required(spec.params, 'params', spec) });
export const RouteQuery = (spec: RouteSpec): ParameterDecorator => Query({ schema: required(spec.query, 'query', spec) });
export const RouteBody = (spec: RouteSpec): ParameterDecorator => Body({ schema: required(spec.body, 'body', spec) });

/**
 * The `Idempotency-Key` header, checked (400 naming it) and scoped to the route: it becomes the
 * command id (and derives new ids), so the same key on another route does that route's work
 * instead of answering another route's outcome.
 */
export const IdemKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const value = req.headers['idempotency-key'];
  const key = IdempotencyKey.parse(Array.isArray(value) ? value.join(',') : value);
  if (key === undefined) return undefined;
  const operationId = Reflect.getMetadata(OPERATION_ID, ctx.getHandler()) as string | undefined;
  return routeScopedKey(operationId ?? `${req.method} ${String(req.route?.path ?? req.path)}`, key);
});
