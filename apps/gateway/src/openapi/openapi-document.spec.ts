import { validate } from '@readme/openapi-parser';
import { openApiDocument } from './openapi-document';
import { ALL_ROUTES, TAGS } from './registry';
import { openApiPath } from './route';

describe(openApiDocument.name, () => {
  const sut = () => openApiDocument(ALL_ROUTES, { version: '0.0.0-test', tags: TAGS }) as { paths: Record<string, Record<string, { operationId: string }>>; components: { schemas: Record<string, unknown> } };

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(await validate(structuredClone(sut()) as unknown as Parameters<typeof validate>[0])).toMatchObject({ valid: true });
  });

  it('has one operation per route, under its path and method', () => {
    const doc = sut();
    for (const r of ALL_ROUTES) expect(doc.paths[openApiPath(r.path)][r.method].operationId).toBe(r.operationId);
  });

  it('names the contract schemas as components', () => {
    expect(Object.keys(sut().components.schemas)).toEqual(expect.arrayContaining(['CommandAccepted', 'TaskView', 'ApiErrorBody', 'TaskTree', 'ExportedTask']));
  });
});

describe('the route registry', () => {
  it.each(ALL_ROUTES.map((r) => [r.operationId, r] as const))('%s: its params schema names exactly the parameters of its path', (_id, r) => {
    const inPath = [...r.path.matchAll(/:([A-Za-z_]\w*)/g)].map((m) => m[1]).sort();
    expect(Object.keys(r.params?.shape ?? {}).sort()).toEqual(inPath);
  });

  it('marks every route that sends a command as idempotent, except those that mint a secret', () => {
    const sending = ALL_ROUTES.filter((r) => r.commands?.length && !r.external && !r.mintsSecret);
    expect(sending.filter((r) => !r.idempotent).map((r) => r.operationId)).toEqual([]);
  });
});
