import { HttpException, HttpStatus } from '@nestjs/common';
import type { CommandReply } from '@baton/events';

export interface FieldIssue {
  path: string;
  message: string;
}

/** The one error shape every HTTP answer uses: `{ error: { code, message, fields?, details? } }`. */
export class ApiError extends HttpException {
  constructor(status: number, code: string, message: string, extra: { fields?: FieldIssue[]; details?: Record<string, unknown> } = {}) {
    super({ error: { code, message, ...extra } }, status);
  }

  static validation(fields: FieldIssue[]): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, 'validation', fields.map((f) => `${f.path}: ${f.message}`).join('; '), { fields });
  }
}

const STATUS_BY_CODE: Record<string, number> = {
  validation: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_state: 422,
  unavailable: 503,
  internal: 500,
};

/** Maps a domain/query code to its HTTP status; the single adapter CONVENTIONS asks for. */
export function statusOf(code: string): number {
  return STATUS_BY_CODE[code] ?? 500;
}

export function rejected(reply: Extract<CommandReply, { status: 'rejected' }>): ApiError {
  return new ApiError(statusOf(reply.code), reply.code, reply.message, reply.details ? { details: reply.details } : {});
}
