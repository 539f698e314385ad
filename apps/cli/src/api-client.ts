import { readRetryDelayMs, shouldRetryRead } from '@baton/contracts';

/** A failure the CLI reports: `exitCode` 2 for bad input, 3 for "nothing there" (an empty queue), 1 for everything else. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 | 3,
    /** The HTTP status when the API refused. */
    readonly status?: number,
  ) {
    super(message);
  }
}

interface ApiErrorBody {
  error?: { code?: string; message?: string; fields?: { path: string; message: string }[] };
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  headers?: Record<string, string>;
  /** Give the body back as text (Markdown, CSV) instead of parsing JSON. */
  text?: boolean;
}

/** What every accepted write answers. */
export interface CommandAccepted {
  id: string;
  commandId: string;
  seq: number;
  events: { id: string; type: string; seq: number }[];
}

/** Turns an API error body into one readable message, with the offending fields under it. */
export function apiErrorMessage(status: number, body: unknown): string {
  const err = (body as ApiErrorBody | undefined)?.error;
  const fields = err?.fields?.map((f) => `  ${f.path || '(body)'}: ${f.message}`).join('\n');
  return `${err?.message ?? `HTTP ${status}`}${fields ? `\n${fields}` : ''}`;
}

/** 400 and 413 are bad input (exit 2); every other refusal or failure exits 1. */
export const exitCodeFor = (status: number): 1 | 2 => (status === 400 || status === 413 ? 2 : 1);

/**
 * Talks to the gateway; turns its error shape into CliErrors. It remembers the highest
 * sequence its own writes returned and asks later reads for at least that (`minSeq`), so
 * one process (an MCP session, a script step) always reads its own writes.
 */
export class ApiClient {
  private lastSeq = 0;

  constructor(
    readonly baseUrl: string,
    /** A function is asked on every request: a session's token is renewed under a long-running process (decision 0024). */
    private readonly token?: string | (() => string | undefined),
  ) {}

  get seq(): number {
    return this.lastSeq;
  }

  get<T>(path: string, query: Query = {}, opts: Omit<RequestOptions, 'query'> = {}): Promise<T> {
    return this.request<T>('GET', path, undefined, { ...opts, query: this.withSeq(query) });
  }

  post<T = CommandAccepted>(path: string, body: unknown = {}, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, body, this.writeOpts(path, opts));
  }

  patch<T = CommandAccepted>(path: string, body: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('PATCH', path, body, this.writeOpts(path, opts));
  }

  delete<T = CommandAccepted>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, undefined, this.writeOpts(path, opts));
  }

  private withSeq(query: Query = {}): Query {
    return this.lastSeq && query.minSeq === undefined ? { ...query, minSeq: this.lastSeq } : query;
  }

  /** The gateway looks up a task's or attempt's project before writing to it, and renders from its read model: let it see ours. */
  private writeOpts(path: string, opts: RequestOptions): RequestOptions {
    return /^\/api\/(tasks|attempts|prompt-versions)\//.test(path) ? { ...opts, query: this.withSeq(opts.query) } : opts;
  }

  async request<T>(method: HttpMethod, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const answer = await this.once<T>(method, path, body, opts);
      // A read the gateway could not answer in time (a busy read model): wait as it says and ask again, for a while.
      if (answer.kind === 'retry' && method === 'GET') {
        const delay = readRetryDelayMs(answer.retryAfter, attempt);
        if (shouldRetryRead(503, Date.now() - started, delay)) {
          await new Promise((r) => setTimeout(r, delay));
          continue;
        }
      }
      if (answer.kind === 'retry') throw answer.error;
      return answer.value;
    }
  }

  private async once<T>(method: HttpMethod, path: string, body: unknown, opts: RequestOptions): Promise<{ kind: 'done'; value: T } | { kind: 'retry'; retryAfter: string | null; error: CliError }> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    const token = typeof this.token === 'function' ? this.token() : this.token;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          accept: opts.text ? 'text/markdown, text/csv, text/plain, */*' : 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...opts.headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach Baton at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (e as Error).message}`, 1);
    }
    const text = await res.text();
    if (!res.ok) {
      if (res.status === 401) throw new CliError(`not signed in or the token was refused (HTTP 401)${apiErrorDetail(text)}; set BATON_TOKEN or run \`baton login\``, 1, 401);
      const error = new CliError(apiErrorMessage(res.status, parseJson(text)), exitCodeFor(res.status), res.status);
      if (res.status === 503) return { kind: 'retry', retryAfter: res.headers.get('retry-after'), error };
      throw error;
    }
    if (opts.text) return { kind: 'done', value: text as T };
    const json = text ? parseJson(text) : undefined;
    if (json === PARSE_FAILED) throw new CliError(`Baton answered ${method} ${url.pathname} with something that is not JSON`, 1, res.status);
    if (method !== 'GET') this.remember(json);
    return { kind: 'done', value: json as T };
  }

  private remember(json: unknown): void {
    const seq = (json as { seq?: unknown } | undefined)?.seq;
    if (typeof seq === 'number' && Number.isSafeInteger(seq) && seq > this.lastSeq) this.lastSeq = seq;
  }
}

/** The gateway's reason for a refusal (an expired token, an ended session), as `: <reason>`. */
function apiErrorDetail(text: string): string {
  const message = (parseJson(text) as ApiErrorBody | undefined)?.error?.message;
  return typeof message === 'string' && message ? `: ${message.slice(0, 300)}` : '';
}

const PARSE_FAILED = Symbol('not json');
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return PARSE_FAILED;
  }
}

/** `encodeURIComponent` for every path segment the user typed. */
export const seg = (s: string) => encodeURIComponent(s);
