import type { CommandAccepted } from '@baton/contracts';
import { consistency } from './consistency';
import { credentials } from './credentials';
// Only this dependency-free file of @baton/contracts is bundled (its index would bring zod): tsconfig paths and vite alias.
import { readRetryDelayMs, shouldRetryRead } from '@baton/contracts/read-retry';
import { ApiError, parseApiError } from './errors';

export { ApiError, describeError, isApiError, type FieldIssue } from './errors';

type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** `/api/projects` + `{ limit: 50, status: undefined }` → `/api/projects?limit=50`. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * Same-origin JSON over fetch; every failure becomes an ApiError. A read (GET) the gateway could
 * not answer in time — its read model behind this client's `minSeq` on a busy machine — is a
 * 503 with Retry-After: it is asked again as that says, for a while (READ_RETRY_BUDGET_MS),
 * before the error shows.
 */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await requestOnce<T>(path, opts);
    } catch (e) {
      if (!(e instanceof ApiError) || (opts.method ?? 'GET') !== 'GET' || opts.signal?.aborted) throw e;
      const delay = readRetryDelayMs(e.retryAfter, attempt);
      if (!shouldRetryRead(e.status, Date.now() - started, delay)) throw e;
      await new Promise((r) => setTimeout(r, delay));
      if (opts.signal?.aborted) throw e;
    }
  }
}

async function requestOnce<T>(path: string, opts: RequestOptions): Promise<T> {
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  // The signed-in token, unless the caller brings its own (signing in checks a candidate).
  const token = headers.authorization === undefined ? credentials.current : null;
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal,
      credentials: 'same-origin',
    });
  } catch (e) {
    if (opts.signal?.aborted) throw e; // the caller gave up; not an error to show
    if (timeout.aborted) throw new ApiError(0, 'timeout', 'The gateway did not answer in time.');
    throw new ApiError(0, 'network', 'Cannot reach the Baton gateway.');
  }
  const text = await res.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      if (res.ok) throw new ApiError(res.status, 'bad_response', 'The server answered with something that is not JSON.');
    }
  }
  if (res.status === 401 && token) credentials.rejected(token);
  if (!res.ok) {
    const error = parseApiError(res.status, body);
    error.retryAfter = res.headers.get('retry-after');
    throw error;
  }
  return body as T;
}

export const http = {
  get: <T>(path: string, opts: Omit<RequestOptions, 'method' | 'body'> = {}) => request<T>(path, { ...opts, method: 'GET' }),
  post: <T>(path: string, body: unknown, opts: Omit<RequestOptions, 'method' | 'body'> = {}) => request<T>(path, { ...opts, method: 'POST', body }),
  patch: <T>(path: string, body: unknown, opts: Omit<RequestOptions, 'method' | 'body'> = {}) => request<T>(path, { ...opts, method: 'PATCH', body }),
  del: <T>(path: string, opts: Omit<RequestOptions, 'method' | 'body'> = {}) => request<T>(path, { ...opts, method: 'DELETE' }),
};

// getRandomValues, not randomUUID: the latter is missing on plain http to a LAN address.
export const newIdempotencyKey = () => `web-${Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')}`;

/** `/api/tasks/${id}` with the id encoded. */
export const api = (strings: TemplateStringsArray, ...ids: string[]) => strings.reduce((out, s, i) => out + s + (i < ids.length ? encodeURIComponent(ids[i]) : ''), '');

/** A read that includes this client's own writes (`minSeq`). */
export function read<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
  return request<T>(path, { query: { ...query, minSeq: Math.max(consistency.minSeq, Number(query.minSeq ?? 0)) || undefined }, signal });
}

/**
 * A command: sent once (an Idempotency-Key makes a retry safe), and its `seq` raises the
 * client's `minSeq` so every later read shows it.
 */
export async function command<T extends { seq?: number } = CommandAccepted>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, key = newIdempotencyKey()): Promise<T> {
  const answer = await request<T>(path, { method, body, headers: { 'idempotency-key': key } });
  if (answer && typeof answer.seq === 'number') consistency.observe(answer.seq);
  return answer;
}
