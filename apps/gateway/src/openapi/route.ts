import type { z } from 'zod';
import type { Role } from '@baton/events';

/*
 * One route of the REST API, described once: the controller takes its path, status and
 * schemas from here (route.decorators.ts) and the OpenAPI document is generated from the
 * same objects (openapi-document.ts), so the two cannot drift. Pure: no Nest import, so
 * specs can build the document without starting anything.
 */

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';
export type TextMediaType = 'text/markdown' | 'text/csv' | 'text/html';

export interface RouteSpec {
  /** Unique; the OpenAPI operationId. */
  operationId: string;
  method: HttpMethod;
  /** From the root, Express style: `/api/tasks/:id`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Optional bodies are `.optional()` schemas. */
  body?: z.ZodType;
  status: 200 | 201 | 302;
  /** `redirect`: the answer is a 302 to the place described (a browser's navigation, not an API call). */
  response: z.ZodType | { mediaType: TextMediaType; description: string } | { redirect: string };
  /** Statuses beyond those the rest implies (400 for input, 401/403 for auth, 404 for ids, 413 for bodies). */
  errors?: readonly (409 | 422 | 503)[];
  /** No token needed. */
  public?: boolean;
  /** The least role, when it is not the default (viewer for GET, operator otherwise). */
  role?: Role;
  /** Sends commands: takes an `Idempotency-Key` header. */
  idempotent?: boolean;
  /** What it sends or asks, for the reader of the document. */
  commands?: readonly string[];
  queries?: readonly string[];
  /** Served by a controller outside the route registry (documented here all the same). */
  external?: boolean;
  /**
   * Answers with a freshly minted secret (a token). Such a route takes no Idempotency-Key:
   * a replay would have to hand the same secret out twice.
   */
  mintsSecret?: boolean;
}

export function route<const R extends RouteSpec>(spec: R): R {
  return spec;
}

/** `/api/tasks/:id` → `/api/tasks/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

export type ParamsOf<R extends RouteSpec> = R['params'] extends z.ZodType ? z.output<R['params']> : never;
export type QueryOf<R extends RouteSpec> = R['query'] extends z.ZodType ? z.output<R['query']> : never;
export type BodyOf<R extends RouteSpec> = R['body'] extends z.ZodType ? z.output<R['body']> : never;
