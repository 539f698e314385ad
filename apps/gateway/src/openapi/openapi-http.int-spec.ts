import { validate } from '@readme/openapi-parser';
import { startApi, type Api } from './__tests__/api-harness';

interface Operation {
  operationId: string;
  security?: unknown[];
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

/** The routes Nest mapped, from its own log lines ("Mapped {/api/tasks/:id, GET} route"). */
function nestRoutes(output: string): { method: string; path: string }[] {
  return [...output.matchAll(/Mapped \{([^,}]+), ([A-Z]+)\} route/g)].map((m) => ({ method: m[2].toLowerCase(), path: m[1].replace(/:([A-Za-z_]\w*)/g, '{$1}') }));
}

describe('the OpenAPI document the running gateway serves', () => {
  let api: Api;
  let doc: Document;

  beforeAll(async () => {
    api = await startApi({ gatewayEnv: { LOG_LEVEL: 'debug' } });
    const res = await api.call<Document>('GET', '/api/docs-json', undefined, { token: null });
    expect(res.status).toBe(200);
    doc = res.body;
  }, 60_000);
  afterAll(() => api?.close());

  it('is valid OpenAPI 3.1 for an independent validator', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as unknown as Parameters<typeof validate>[0]);
    expect(result).toMatchObject({ valid: true });
  });

  it('names every route Nest registered, and nothing Nest does not serve', () => {
    const mapped = nestRoutes(api.gateway.output());
    expect(mapped.length).toBeGreaterThan(40);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`));
    expect(mapped.map((r) => `${r.method} ${r.path}`).sort()).toEqual([...documented].sort());
  });

  it('marks exactly the routes that need no token as public', async () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const url = path.replace(/\{[^}]+\}/g, 'SOMEID');
        const res = await api.call(method.toUpperCase(), url, undefined, { token: null });
        const isPublic = Array.isArray(op.security) && op.security.length === 0;
        expect({ op: op.operationId, unauthorized: res.status === 401 }).toEqual({ op: op.operationId, unauthorized: !isPublic });
      }
    }
  });

  it('serves a self-contained page for people at /api/docs', async () => {
    const res = await api.call('GET', '/api/docs', undefined, { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain("fetch('docs-json')");
    expect(res.text).not.toMatch(/<script[^>]+src=/);
  });
});
