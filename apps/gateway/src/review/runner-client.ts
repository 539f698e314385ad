import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../http/api-error';
import { RunnerDirectory } from './runner-directory';

const SECRET_HEADER = 'x-baton-runner-secret';

interface RunnerError {
  error?: { code?: string; message?: string; details?: Record<string, unknown>; fields?: { path: string; message: string }[] };
}

/**
 * Calls a runner's HTTP API (apps/runner/src/http) for the review routes. The runner's own
 * answers pass through (409 merge_conflict with its files, 404, 422); a runner that cannot
 * be reached, or refuses the gateway's secret, is a 503 saying which.
 */
@Injectable()
export class RunnerClient {
  constructor(@Inject(RunnerDirectory) private readonly directory: RunnerDirectory) {}

  async call<T>(runnerId: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const base = await this.directory.urlOf(runnerId);
    if (!base) {
      throw new ApiError(503, 'unavailable', `runner ${runnerId}'s HTTP address is unknown to the gateway: it announces none (BATON_RUNNER_PUBLIC_URL) and BATON_RUNNER_URLS does not list it`, { details: { runnerId } });
    }
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { ...(this.directory.secret ? { [SECRET_HEADER]: this.directory.secret } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.directory.timeoutMs),
      });
    } catch (e) {
      throw new ApiError(503, 'unavailable', `runner ${runnerId} did not answer: ${(e as Error).message}`, { details: { runnerId } });
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (res.ok) return parsed as T;
    const err = (parsed as RunnerError | null)?.error ?? {};
    const message = err.message ?? `runner ${runnerId} answered ${res.status}`;
    if (res.status === 401 || res.status === 403) {
      throw new ApiError(503, 'unavailable', `runner ${runnerId} refused the gateway (check BATON_RUNNER_SECRET on both)`, { details: { runnerId } });
    }
    if ([404, 409, 422].includes(res.status)) {
      throw new ApiError(res.status, err.code ?? (res.status === 404 ? 'not_found' : res.status === 409 ? 'conflict' : 'invalid_state'), message, {
        details: { runnerId, ...(err.details ?? {}) },
      });
    }
    if (res.status === 400) throw new ApiError(400, 'validation', message, err.fields ? { fields: err.fields } : {});
    throw new ApiError(503, 'unavailable', `runner ${runnerId} failed: ${message}`, { details: { runnerId, status: res.status } });
  }
}
