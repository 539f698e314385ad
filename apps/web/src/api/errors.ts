/** One problem with one input, as the gateway names it: `name`, `repository.location`, `env.FOO`. */
export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * The codes the gateway answers with, plus two the client makes up itself:
 * `network` (no answer at all) and `bad_response` (an answer that is not Baton's shape).
 */
export type ApiErrorCode =
  | 'validation'
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'invalid_state'
  | 'unavailable'
  | 'timeout'
  | 'internal'
  | 'network'
  | 'bad_response';

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: ApiErrorCode | (string & {}),
    message: string,
    readonly fields: FieldIssue[] = [],
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The server's Retry-After, when it sent one (a 503 says when to ask again). */
  retryAfter: string | null = null;

  /** Worth trying again as is: the request may not have reached the service, or it was busy. */
  get retryable(): boolean {
    return this.code === 'network' || this.code === 'timeout' || this.code === 'unavailable' || this.status === 502 || this.status === 503;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Mirrors the gateway's status → code table, for answers that carry no code of their own. */
export function codeForStatus(status: number): ApiErrorCode {
  switch (status) {
    case 400:
      return 'validation';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 422:
      return 'invalid_state';
    case 502:
    case 503:
      return 'unavailable';
    case 504:
      return 'timeout';
    default:
      return status >= 500 ? 'internal' : 'bad_request';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fieldsOf(raw: unknown): FieldIssue[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((f) => (isRecord(f) && typeof f.path === 'string' && typeof f.message === 'string' ? [{ path: f.path, message: f.message }] : []));
}

/**
 * Reads `{ error: { code, message, fields?, details? } }` from a failed answer. Anything else
 * (a proxy's HTML page, an empty body) still becomes an ApiError named after the status.
 */
export function parseApiError(status: number, body: unknown): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (!error) return new ApiError(status, codeForStatus(status), `The server answered ${status} without an explanation.`);
  const code = typeof error.code === 'string' && error.code ? error.code : codeForStatus(status);
  const message = typeof error.message === 'string' && error.message ? error.message : `The server answered ${status}.`;
  return new ApiError(status, code, message, fieldsOf(error.fields), isRecord(error.details) ? error.details : {});
}

/** A sentence for a person, for errors shown away from any field. */
export function describeError(e: unknown): string {
  if (!isApiError(e)) return e instanceof Error ? e.message : 'Something went wrong.';
  switch (e.code) {
    case 'network':
      return 'Cannot reach the Baton gateway. Check that it is running.';
    case 'timeout':
      return 'The service did not answer in time. It may still apply the change; refresh before retrying.';
    case 'payload_too_large':
      return 'The request is too large for the gateway.';
    case 'unavailable':
      return 'The service is unavailable right now. Try again in a moment.';
    default:
      return e.message;
  }
}
