import fc from 'fast-check';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { io, type Socket } from 'socket.io-client';
import { ClientMessages } from '@baton/contracts';
import { createTestNamespace, eventually, type TestNamespace } from '@baton/testing';
import { call } from './harness/http';
import { readLog } from './harness/log';
import { Stack } from './harness/stack';

interface Parameter {
  name?: string;
  in?: string;
  required?: boolean;
  $ref?: string;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: Record<string, unknown> } } };
  security?: unknown[];
}
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Record<string, unknown>> } };

const SOME_ID = '01BADINPUTSWEEPID';
const RUNS = Number(process.env.BATON_BAD_INPUT_RUNS ?? 25);
const SEED = Number(process.env.BATON_BAD_INPUT_SEED ?? 20261121);

/** Values of every JSON type, some hostile: what a broken or malicious client sends. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', ' ', 'a.b', '../../etc/passwd', '$(rm -rf ~)', '<script>', '\u0000', 'null', '{}', '9'.repeat(40), 'é🙂\u202e'),
  fc.constant('x'.repeat(20_000)),
  fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }),
  fc.constantFrom(-1, 0, 1e308, -0.5, Number.MAX_SAFE_INTEGER + 2),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxKeys: 3 }),
);

const notJson = fc.oneof(fc.constantFrom('{', '{"a":', 'nul', '[1,2', '{"title": "x",}', "{'a':1}", '\u0000', 'undefined', '{"a":1}{"b":2}'), fc.string({ minLength: 1, maxLength: 30 }).filter((s) => {
  try {
    JSON.parse(s);
    return false;
  } catch {
    return true;
  }
}));

/** A body for a route that takes none: fields, a list, or JSON nested 10,000 deep. Each must be a 400. */
const strayBody: fc.Arbitrary<string> = fc.oneof(
  fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), anyValue, { minKeys: 1, maxKeys: 3 }).map((b) => JSON.stringify(b)),
  fc.array(anyValue, { maxLength: 3 }).map((b) => JSON.stringify(b)),
  fc.constant(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`),
);

/*
 * DESIGN §8: bad input tried at every edge. Requests generated (fast-check) for every route of
 * the document the gateway serves, each invalid by that document's own schemas or malformed on
 * the wire, and every socket message with payloads its zod contract refuses. Every answer must
 * be a 4xx (never a 5xx), every socket answer an `error`; nothing reaches the log and every
 * service is still healthy afterwards.
 */
describe('bad input at every REST route and socket message (property-based)', () => {
  let ns: TestNamespace;
  let stack: Stack;
  let doc: Document;
  let operations: { method: string; path: string; op: Operation }[];
  const base = () => stack.gatewayUrl;

  beforeAll(async () => {
    ns = await createTestNamespace();
    stack = new Stack(ns.env);
    await stack.start('tasks', { app: 'tasks' });
    await stack.start('sessions', { app: 'sessions' });
    await stack.start('gateway', { app: 'gateway' });
    await eventually(async () => (await call(base, ns.token, 'GET', '/api/me')).status === 200, 30_000, 'the bootstrap admin');
    doc = (await call<Document>(base, ns.token, 'GET', '/api/docs-json')).body;
    operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await ns?.cleanup();
  });

  const lastSeq = async () => {
    const log = await readLog(ns.natsUrl, ns.namespace);
    return log.length ? log[log.length - 1].seq : 0;
  };

  const healthy = async () => {
    for (const name of stack.names()) {
      const res = await fetch(`${stack.get(name).url}/health/ready`);
      expect({ name, status: res.status }).toEqual({ name, status: 200 });
    }
  };

  it('answers every generated bad request at every route with a 4xx and appends nothing', async () => {
    const before = await lastSeq();
    const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
    addFormats(ajv);
    const validatorOf = (op: Operation) => {
      const schema = op.requestBody?.content['application/json'].schema;
      return schema ? ajv.compile({ ...schema, components: doc.components }) : null;
    };
    const propsOf = (schema: Record<string, unknown> | undefined): string[] => {
      if (!schema) return [];
      const ref = typeof schema.$ref === 'string' ? doc.components.schemas[schema.$ref.split('/').pop()!] : schema;
      return Object.keys((ref?.properties as Record<string, unknown>) ?? {});
    };

    const failures: string[] = [];
    const noInput: string[] = [];
    let sent = 0;
    const statuses: Record<string, number> = {};
    const guarded = operations.filter(({ op }) => !(Array.isArray(op.security) && op.security.length === 0));
    expect(guarded.length).toBeGreaterThan(80);
    for (const { method, path, op } of guarded) {
      const validate = validatorOf(op);
      const props = propsOf(op.requestBody?.content['application/json'].schema);
      const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name!);
      const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name!);
      const idempotent = (op.parameters ?? []).some((p) => p.$ref?.endsWith('/IdempotencyKey'));

      // A body that the document says is invalid (when the route takes one).
      const badBody: fc.Arbitrary<unknown> = fc
        .oneof(
          fc.record(Object.fromEntries(props.map((k) => [k, anyValue])), { requiredKeys: [] }),
          fc.record(Object.fromEntries(props.map((k) => [k, anyValue])), { requiredKeys: [] }).chain((b) => fc.record({ zzUnknown: anyValue }).map((u) => ({ ...b, ...u }))),
          anyValue,
        )
        .filter((b) => (validate ? !validate(b) : true));

      // Each request breaks at least one thing that is certainly invalid, and may add noise.
      // A GET carries no body (fetch refuses one): it is broken through its path or its query.
      const hasBody = method !== 'GET';
      const modes = [
        ...(pathParams.length ? ['path'] : []),
        ...(op.requestBody ? ['body'] : hasBody ? ['stray'] : []),
        ...(queryParams.length ? ['query'] : []),
        ...(hasBody ? ['wire'] : []),
      ] as const;
      if (!modes.length) {
        noInput.push(op.operationId);
        continue;
      }
      const request = fc.record({
        mode: fc.constantFrom(...modes),
        segment: fc.constantFrom('a.b', ' ', '..', '%00', 'x'.repeat(300), '%F0%9F%92%A9', 'A%20B', '%25', 'a%2Fb', '__proto__.x', '-'),
        body: badBody,
        bodyWire: fc.constantFrom('json', 'json', 'json', ...(op.requestBody?.required ? (['textPlain'] as const) : [])),
        wire: fc.constantFrom('notJson', 'tooLarge'),
        raw: notJson,
        stray: strayBody,
        noiseQuery: fc.option(fc.tuple(fc.constantFrom(...(queryParams.length ? queryParams : ['zzBogus'])), fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('-1', 'NaN', '1e400', 'true', '%00'))), { nil: undefined }),
        key: fc.option(fc.constantFrom('has spaces', 'x'.repeat(300), '\u00e9', ''), { nil: undefined }),
      });

      const property = fc.asyncProperty(request, async (r) => {
        let i = 0;
        let url = path.replace(/\{([^}]+)\}/g, () => (r.mode === 'path' && i++ === 0 ? r.segment : SOME_ID));
        const query: string[] = [];
        if (r.mode === 'query') query.push('zzBogus=1');
        if (r.noiseQuery && queryParams.length) query.push(`${encodeURIComponent(r.noiseQuery[0])}=${encodeURIComponent(r.noiseQuery[1])}`);
        if (query.length) url += `?${query.join('&')}`;
        const headers: Record<string, string> = {};
        if (r.key !== undefined && idempotent) headers['idempotency-key'] = r.key;
        let raw: string | undefined;
        if (r.mode === 'wire') raw = r.wire === 'notJson' ? r.raw : JSON.stringify({ pad: 'x'.repeat(300_000) });
        else if (r.mode === 'stray') raw = r.stray;
        else if (r.mode === 'body') {
          raw = JSON.stringify(r.body) ?? 'null';
          if (r.bodyWire === 'textPlain') headers['content-type'] = 'text/plain';
        } else if (op.requestBody && hasBody) raw = JSON.stringify(r.body) ?? 'null';
        const res = await call(base, ns.token, method, url, undefined, { raw, headers, timeoutMs: 30_000 });
        sent++;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        // A body where none is taken is refused as such, before the path or the query are looked at.
        if (res.status < 400 || res.status >= 500 || (r.mode === 'stray' && res.status !== 400)) {
          throw new Error(`${method} ${url.slice(0, 200)} ${raw === undefined ? '' : `body ${raw.slice(0, 200)}`} ${JSON.stringify(headers)} → ${res.status} ${res.text.slice(0, 300)}`);
        }
      });
      try {
        await fc.assert(property, { numRuns: RUNS, seed: SEED, endOnFailure: true });
      } catch (e) {
        const lines = (e as Error).message.split('\n');
        failures.push(`${op.operationId}: ${(lines.find((l) => l.includes('→')) ?? lines.slice(0, 3).join(' ')).slice(0, 600)}`);
      }
    }
    process.stdout.write(`bad input: ${sent} generated requests at ${guarded.length - noInput.length} routes (${noInput.length} take no input: ${noInput.join(', ')}); statuses ${JSON.stringify(statuses)}\n`);
    expect(failures).toEqual([]);
    expect(await lastSeq()).toBe(before);
    await healthy();
  }, 300_000);

  it('answers every generated bad socket message with an error event, keeps the connection, and appends nothing', async () => {
    const before = await lastSeq();
    const socket: Socket = io(base(), { path: '/socket.io', auth: { token: ns.token }, transports: ['websocket'], reconnection: false });
    const errors: { code: string; on?: string }[] = [];
    socket.on('error', (e: { code: string; on?: string }) => errors.push(e));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const failures: string[] = [];
    const payload = fc.oneof(anyValue, fc.record({ sessionId: anyValue, rooms: anyValue, cols: anyValue, rows: anyValue, data: anyValue, bytes: anyValue, sinceSeq: anyValue }, { requiredKeys: [] }));
    try {
      for (const [name, schema] of Object.entries(ClientMessages)) {
        const property = fc.asyncProperty(
          payload.filter((p) => !schema.safeParse(p).success),
          fc.boolean(),
          async (p, withAck) => {
            const seen = errors.length;
            const ack = withAck && name !== 'terminal:ack' ? await socket.timeout(5_000).emitWithAck(name, p).catch((e: Error) => ({ timeout: e.message })) : null;
            if (!ack) socket.emit(name, p);
            await eventually(() => errors.length > seen, 5_000, `an error event for ${name}`);
            const err = errors[errors.length - 1];
            if (err.code !== 'validation') throw new Error(`${name} ${JSON.stringify(p).slice(0, 200)} → error ${JSON.stringify(err)}`);
            if (ack && (ack as { ok?: boolean }).ok !== false) throw new Error(`${name} ${JSON.stringify(p).slice(0, 200)} → ack ${JSON.stringify(ack)}`);
            if (!socket.connected) throw new Error(`${name} ${JSON.stringify(p).slice(0, 200)} → disconnected`);
          },
        );
        try {
          await fc.assert(property, { numRuns: RUNS * 2, seed: SEED, endOnFailure: true });
        } catch (e) {
          failures.push(`${name}: ${(e as Error).message.split('\n').slice(0, 3).join(' | ')}`);
        }
      }
      // Messages nobody defined, and bad handshakes.
      for (const name of ['zz:unknown', 'constructor', 'event', '__proto__']) {
        const seen = errors.length;
        socket.emit(name, { a: 1 });
        await eventually(() => errors.length > seen, 5_000, `an error event for ${name}`);
        expect(errors[errors.length - 1].code).toBe('validation');
      }
      expect(socket.connected).toBe(true);
    } finally {
      socket.disconnect();
    }
    for (const auth of [{}, { token: 'nope' }, { token: 'btn_' + 'x'.repeat(40) }, { token: 'x'.repeat(20_000) }, { token: 42 }]) {
      const bad = io(base(), { path: '/socket.io', auth, transports: ['websocket'], reconnection: false });
      const outcome = await new Promise<string>((resolve) => {
        bad.once('connect', () => resolve('connected'));
        bad.once('connect_error', (e: Error & { data?: { code?: string } }) => resolve(e.data?.code ?? e.message));
      });
      bad.disconnect();
      expect({ auth: JSON.stringify(auth).slice(0, 40), outcome }).toEqual({ auth: JSON.stringify(auth).slice(0, 40), outcome: 'unauthorized' });
    }
    expect(failures).toEqual([]);
    expect(await lastSeq()).toBe(before);
    await healthy();
  }, 180_000);
});
