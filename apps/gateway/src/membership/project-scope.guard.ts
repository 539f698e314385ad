import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { z } from 'zod';
import type { Role } from '@baton/events';
import { roleAtLeast } from '@baton/contracts';
import { ApiError } from '../http/api-error';
import type { Principal } from '../auth/principal';
import type { RouteSpec } from '../openapi/route';
import { Memberships } from './memberships';
import { NotFound, ProjectFinder, type Owned } from './project-finder';
import { ROUTE_SCOPES, type ScopeInput, type ScopeTarget } from './route-scopes';

/** Where Route() leaves the route's spec on its handler, for the guard. */
export const ROUTE_SPEC = 'baton:routeSpec';

/** The one answer for "does not exist" and "not in a project of yours", so a 404 tells a stranger nothing. */
export function hidden(what: Owned, id: string): ApiError {
  const message = what === 'project' ? `project ${id} does not exist, or you are not one of its members` : `${what} ${id} does not exist, or is not in a project you are a member of`;
  return new ApiError(404, 'not_found', message, { details: { [`${what.replace(/ (.)/, (_, c: string) => c.toUpperCase())}Id`]: id } });
}

/**
 * Project membership on every registry route (docs/decisions/0023), after the auth guard (the
 * global role) and the body check: an admin passes; an agent passes (its session scope is
 * checked by the handler); any other user needs, in the project of everything the route names,
 * a membership whose effective role (the lower of global and project role) is the one the
 * route needs: a read needs viewer, anything else operator. Not a member: 404, like a project
 * that does not exist. Input that does not parse is left to the route's schemas (400).
 */
@Injectable()
export class ProjectScopeGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(Memberships) private readonly memberships: Memberships,
    @Inject(ProjectFinder) private readonly finder: ProjectFinder,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const principal = req.principal;
    const spec = this.reflector.get<RouteSpec | undefined>(ROUTE_SPEC, ctx.getHandler());
    if (!principal || principal.role === 'admin' || !spec) return true;
    const scope = ROUTE_SCOPES[spec.operationId];
    if (!scope) throw new ApiError(403, 'forbidden', `${spec.operationId} is not scoped to projects yet: admins only`);
    if (scope.kind === 'installation') return true;
    const input = parsed(spec, req);
    if (!input) return true;
    const needed: Role = spec.role ?? (spec.method === 'get' ? 'viewer' : 'operator');
    if (scope.kind === 'owned' && scope.crossProject?.(input)) {
      throw new ApiError(403, 'forbidden', 'figures across every project are for admins; name a projectId you are a member of');
    }
    const minSeq = typeof input.query.minSeq === 'number' ? input.query.minSeq : 0;
    for (const target of scope.targets(input)) await this.check(principal, target, needed, minSeq);
    return true;
  }

  private async check(principal: Principal, target: ScopeTarget, needed: Role, minSeq: number): Promise<void> {
    let projectId: string | null = null;
    let named: { what: Owned; id: string } | null = null;
    if (target.what !== 'installation-wide') {
      named = target;
      try {
        projectId = await this.finder.projectOf(target.what, target.id, minSeq);
      } catch (e) {
        if (e instanceof NotFound && target.ifExists) return;
        if (e instanceof NotFound) throw hidden(target.what, target.id);
        throw e;
      }
    }
    if (projectId === null || named === null) {
      // A template of every project: everyone reads it; changing it changes every project, so admins do.
      if (needed !== 'viewer') throw new ApiError(403, 'forbidden', 'installation-wide templates (no projectId) are changed by admins only; give the projectId of a project you operate');
      return;
    }
    const role = await this.memberships.roleIn(principal, projectId);
    if (role === null) throw hidden(named.what, named.id);
    if (!roleAtLeast(role, needed)) {
      throw new ApiError(403, 'forbidden', `this needs the ${needed} role in project ${projectId}; you are ${role === 'viewer' ? 'a viewer' : `an ${role}`} there`, {
        details: { projectId, role, needed },
      });
    }
  }
}

function parse(schema: z.ZodType | undefined, value: unknown): { ok: boolean; value: Record<string, unknown> } {
  if (!schema) return { ok: true, value: {} };
  const r = schema.safeParse(value);
  return r.success ? { ok: true, value: (r.data ?? {}) as Record<string, unknown> } : { ok: false, value: {} };
}

/** The request as the route's schemas read it, or null when they refuse it (the route answers 400). */
function parsed(spec: RouteSpec, req: Request): ScopeInput | null {
  const params = parse(spec.params, req.params);
  const query = parse(spec.query, req.query);
  const body = parse(spec.body, req.body);
  if (!params.ok || !query.ok || !body.ok) return null;
  return { params: params.value, query: query.value, body: spec.body ? body.value : undefined };
}
