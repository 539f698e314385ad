import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import * as contracts from '@baton/contracts';
import { openApiPath, type RouteSpec } from './route';

type Json = Record<string, unknown>;

const ERRORS: Record<number, [string, string]> = {
  400: ['BadRequest', 'Invalid input: `error.fields` names each offending field (body path, parameter or header).'],
  401: ['Unauthorized', 'No bearer token, or an unknown or revoked one.'],
  403: ['Forbidden', 'The token\'s role may not do this (viewers never send commands).'],
  404: ['NotFound', 'Something the request names does not exist.'],
  409: ['Conflict', 'Conflicts with the current state (e.g. an active attempt, a dependency cycle — named in the message and `details`).'],
  413: ['PayloadTooLarge', 'The body is over the size limit.'],
  422: ['InvalidState', 'Not possible in the current state (e.g. an archived project, a task that is done).'],
  503: ['Unavailable', 'A service did not answer.'],
};

/** Names of the contract schemas, so shared shapes become named components. */
const NAMES = new Map<unknown, string>(Object.entries(contracts).filter(([, v]) => v instanceof z.ZodType).map(([k, v]) => [v, k.replace(/Schema$/, '')]));

/** Collects `components.schemas`, naming and de-duplicating definitions. */
class Schemas {
  readonly all: Record<string, Json> = {};

  /** A JSON Schema for `schema`; named contract schemas (and their `$defs`) become `$ref`s. */
  convert(schema: z.ZodType, io: 'input' | 'output', fallbackName: string, opts: { inline?: boolean } = {}): Json {
    const name = opts.inline ? undefined : NAMES.get(schema);
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, Json>;
    delete json.$defs;
    const renamed = new Map<string, string>();
    for (const [key, def] of Object.entries(defs)) renamed.set(key, this.reserve(typeof def.title === 'string' ? def.title : `${fallbackName}_${key}`, def));
    const fix = (v: unknown): unknown => rewriteRefs(v, renamed);
    for (const [key, def] of Object.entries(defs)) this.all[renamed.get(key)!] = fix(def) as Json;
    const body = fix(json) as Json;
    if (!name) return body;
    const final = this.reserve(io === 'input' && this.all[name] && !isDeepStrictEqual(this.all[name], body) ? `${name}Input` : name, body);
    this.all[final] = body;
    return { $ref: `#/components/schemas/${final}` };
  }

  private reserve(base: string, content: Json): string {
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? base : `${base}${n}`;
      const existing = this.all[candidate];
      if (!existing || isDeepStrictEqual(stripRefs(existing), stripRefs(content))) return candidate;
    }
  }
}

function rewriteRefs(v: unknown, renamed: Map<string, string>): unknown {
  if (Array.isArray(v)) return v.map((x) => rewriteRefs(x, renamed));
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) =>
      k === '$ref' && typeof x === 'string' && x.startsWith('#/$defs/') ? [k, `#/components/schemas/${renamed.get(x.slice(8)) ?? x.slice(8)}`] : [k, rewriteRefs(x, renamed)],
    ),
  );
}
const stripRefs = (v: Json) => JSON.parse(JSON.stringify(v).replace(/"\$ref":"[^"]*"/g, '"$ref":""')) as Json;

function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query', schemas: Schemas, name: string): Json[] {
  if (!schema) return [];
  const json = schemas.convert(schema, 'input', name, { inline: true }) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([key, prop]) => {
    const { description, ...rest } = prop;
    return {
      name: key,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(key),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function responseStatuses(r: RouteSpec): number[] {
  const out = new Set<number>(r.errors ?? []);
  if (r.params || r.query || r.body || r.idempotent) out.add(400);
  if (!r.public) out.add(401);
  if (!r.public && (r.method !== 'get' || (r.role && r.role !== 'viewer'))) out.add(403);
  if (r.params) out.add(404);
  if (r.body) out.add(413);
  return [...out].sort();
}

function operation(r: RouteSpec, schemas: Schemas): Json {
  const op: Json = {
    operationId: r.operationId,
    tags: [r.tag],
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    ...(r.public ? { security: [] } : {}),
  };
  const params = [...parameters(r.params, 'path', schemas, r.operationId), ...parameters(r.query, 'query', schemas, r.operationId)];
  if (r.idempotent) params.push({ $ref: '#/components/parameters/IdempotencyKey' });
  if (params.length) op.parameters = params;
  if (r.body) {
    const optional = r.body.safeParse(undefined).success;
    const inner = r.body instanceof z.ZodOptional ? (r.body.unwrap() as z.ZodType) : r.body;
    op.requestBody = { required: !optional, content: { 'application/json': { schema: schemas.convert(inner, 'input', `${r.operationId}Body`) } } };
  }
  const ok =
    'redirect' in r.response
      ? { description: r.response.redirect, headers: { Location: { description: 'Where the browser goes next.', schema: { type: 'string' } } } }
      : 'mediaType' in r.response
      ? { description: r.response.description, content: { [r.response.mediaType]: { schema: { type: 'string' } } } }
      : { description: r.summary, content: { 'application/json': { schema: schemas.convert(r.response, 'output', `${r.operationId}Response`) } } };
  op.responses = {
    [String(r.status)]: ok,
    ...Object.fromEntries(responseStatuses(r).map((s) => [String(s), { $ref: `#/components/responses/${ERRORS[s][0]}` }])),
  };
  const baton = { ...(r.commands?.length ? { commands: r.commands } : {}), ...(r.queries?.length ? { queries: r.queries } : {}) };
  if (Object.keys(baton).length) op['x-baton'] = baton;
  return op;
}

/** The OpenAPI 3.1 document of `routes`, from the very schemas the routes validate with. */
export function openApiDocument(routes: readonly RouteSpec[], opts: { version: string; tags: { name: string; description: string }[] }): Json {
  const schemas = new Schemas();
  const error = schemas.convert(contracts.ApiErrorBody, 'output', 'ApiErrorBody');
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const path = openApiPath(r.path);
    paths[path] ??= {};
    if (paths[path][r.method]) throw new Error(`two routes for ${r.method.toUpperCase()} ${r.path}`);
    paths[path][r.method] = operation(r, schemas);
  }
  const ids = routes.map((r) => r.operationId);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new Error(`operationId ${twice} is used twice`);
  const used = new Set(routes.map((r) => r.tag));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Baton API',
      version: opts.version,
      description:
        'Every write sends a command and answers `{ id, commandId, seq, events }`; pass `seq` as `minSeq` to a read to see your own write. ' +
        'Writes take an optional `Idempotency-Key`: a resend answers the first outcome and changes nothing. Errors: `{ error: { code, message, fields?, details? } }`.',
    },
    servers: [{ url: '/' }],
    tags: opts.tags.filter((t) => used.has(t.name)),
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A Baton token (`btn_…`).' } },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: 'Makes the write safe to resend: the same key (per user) answers the first outcome.',
          schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' },
        },
      },
      responses: Object.fromEntries(Object.values(ERRORS).map(([name, description]) => [name, { description, content: { 'application/json': { schema: error } } }])),
      schemas: schemas.all,
    },
  };
}
