/** A REST client for the gateway that behaves like a careful user: it resends with the same Idempotency-Key. */

export interface Reply<T = unknown> {
  /** 0: no HTTP answer (connection refused or reset, timeout). */
  status: number;
  body: T;
  text: string;
}

export async function call<T = unknown>(base: () => string, token: string, method: string, path: string, body?: unknown, opts: { key?: string; timeoutMs?: number; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
  const payload = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  try {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.key ? { 'idempotency-key': opts.key } : {}),
        ...opts.headers,
      },
      body: payload,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // text answer
    }
    return { status: res.status, body: parsed as T, text };
  } catch (e) {
    return { status: 0, body: undefined as T, text: String((e as Error).message) };
  }
}

export interface Accepted {
  key: string;
  kind: string;
  /** The id the answer names (the task created, the project renamed…). */
  id: string;
  commandId: string;
  seq: number;
  events: { id: string; type: string; seq: number }[];
  /** From the first send to the answer, resends included. */
  ms: number;
  attempts: number;
  sentAt: number;
}

export interface Refused {
  key: string;
  kind: string;
  status: number;
  text: string;
}

const retryable = (status: number) => status === 0 || status >= 500;

/**
 * Sends one command until it is answered for good: 2xx (accepted) or 4xx (refused). Every
 * resend carries the same Idempotency-Key, so the command takes effect at most once.
 */
export async function sendCommand(
  base: () => string,
  token: string,
  req: { kind: string; method: string; path: string; body?: unknown; key: string },
  opts: { deadlineMs?: number; timeoutMs?: number; onRetry?: (status: number, text: string) => void; abandoned?: () => boolean } = {},
): Promise<Accepted | Refused> {
  const sentAt = Date.now();
  const deadline = sentAt + (opts.deadlineMs ?? 120_000);
  for (let attempt = 1; ; attempt++) {
    const r = await call<{ id: string; commandId: string; seq: number; events: Accepted['events'] }>(base, token, req.method, req.path, req.body, { key: req.key, timeoutMs: opts.timeoutMs });
    if (r.status >= 200 && r.status < 300) {
      return { key: req.key, kind: req.kind, id: r.body.id, commandId: r.body.commandId, seq: r.body.seq, events: r.body.events, ms: Date.now() - sentAt, attempts: attempt, sentAt };
    }
    // Abandoned (the test is over, e.g. timed out): no more resends to a stack being torn down.
    if (!retryable(r.status) || Date.now() > deadline || opts.abandoned?.()) return { key: req.key, kind: req.kind, status: r.status, text: r.text.slice(0, 500) };
    opts.onRetry?.(r.status, r.text);
    await new Promise((res) => setTimeout(res, Math.min(1_000, 50 * attempt)));
  }
}

export const isAccepted = (r: Accepted | Refused): r is Accepted => 'commandId' in r;
