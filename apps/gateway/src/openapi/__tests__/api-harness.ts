import { ApiErrorBody } from '@baton/contracts';
import { Broker } from '@baton/event-store';
import { createTestNamespace, eventually, startService, type ManagedProcess, type TestNamespace } from '@baton/testing';

export interface Answer<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface CallOptions {
  token?: string | null;
  headers?: Record<string, string>;
  /** Sent as is (not JSON-encoded). */
  raw?: string;
}

export interface Api {
  ns: TestNamespace;
  broker: Broker;
  gateway: ManagedProcess & { url: string };
  /** The tasks service's process, started with `tasksEnv` over the namespace's. */
  tasks: ManagedProcess & { url: string };
  call<T = unknown>(method: string, path: string, body?: unknown, opts?: CallOptions): Promise<Answer<T>>;
  /** The last sequences of the events and commands streams: equal before and after means nothing happened. */
  logState(): Promise<{ events: number; commands: number }>;
  /**
   * Creates a user with `role` and answers its token; with `memberOf`, an admin makes it a
   * member of that project with the same role (docs/decisions/0023: others see no project).
   */
  user(role: 'viewer' | 'operator' | 'admin', memberOf?: string): Promise<string>;
  close(): Promise<void>;
}

/** A fresh namespace with the real tasks service and gateway, and the bootstrap admin signed in. */
export async function startApi(opts: { gatewayEnv?: Record<string, string>; tasksEnv?: Record<string, string>; withSessions?: boolean } = {}): Promise<Api> {
  const ns = await createTestNamespace();
  const broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
  await broker.ensureTopology();
  const tasks = await startService('tasks', { ...ns.env, ...opts.tasksEnv });
  // Routes that ask the sessions service (a project's delete: are its sessions running?) need it.
  if (opts.withSessions) await startService('sessions', ns.env);
  const gateway = await startService('gateway', { ...ns.env, ...opts.gatewayEnv });
  const base = gateway.url;

  const call = async <T>(method: string, path: string, body?: unknown, o: CallOptions = {}): Promise<Answer<T>> => {
    const token = o.token === undefined ? ns.token : o.token;
    const payload = o.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers },
      body: payload,
    });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  };
  await eventually(async () => (await call('GET', '/api/me')).status === 200, 20_000, 'the bootstrap admin');

  return {
    ns,
    broker,
    gateway,
    tasks,
    call,
    async logState() {
      const [events, commands] = await Promise.all([broker.jsm.streams.info(broker.names.streams.events), broker.jsm.streams.info(broker.names.streams.commands)]);
      return { events: events.state.last_seq, commands: commands.state.last_seq };
    },
    async user(role, memberOf) {
      const res = await call<{ id: string; token: string }>('POST', '/api/users', { name: `${role}-${Date.now()}`, role });
      if (res.status !== 201) throw new Error(`could not create a ${role}: ${res.text}`);
      if (memberOf && role !== 'admin') {
        const added = await call('POST', `/api/projects/${memberOf}/members`, { userId: res.body.id, role });
        if (added.status !== 201) throw new Error(`could not make the ${role} a member of ${memberOf}: ${added.text}`);
      }
      return res.body.token;
    },
    async close() {
      await broker.close();
      await ns.cleanup();
    },
  };
}

/** The error of an answer, checked against the one error shape. */
export function errorOf(answer: Answer): ApiErrorBody['error'] {
  return ApiErrorBody.parse(answer.body).error;
}

/** The paths a 400 names. */
export function fieldsOf(answer: Answer): string[] {
  return (errorOf(answer).fields ?? []).map((f) => f.path);
}
