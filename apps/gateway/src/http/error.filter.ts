import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { CommandTimeoutError, QueryError } from '@baton/event-store';
import { RETRY_AFTER_SECONDS } from '@baton/contracts';
import { statusOf } from './api-error';

/** Every failure leaves as `{ error: { code, message, ... } }`; internals never reach the client. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.describe(exception);
    if (status === 503) this.logger.warn({ err: exception }, 'request answered 503: unavailable for now');
    else if (status >= 500) this.logger.error({ err: exception }, 'request failed');
    // Unavailable for now (a read model behind the caller's minSeq, a service not answering): when to ask again.
    if (status === 503 && !res.getHeader('retry-after')) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(status).json(body);
  }

  private describe(e: unknown): [number, { error: Record<string, unknown> }] {
    if (e instanceof HttpException) {
      const status = e.getStatus();
      const response = e.getResponse();
      if (typeof response === 'object' && response && 'error' in response && typeof response.error === 'object') {
        return [status, response as { error: Record<string, unknown> }];
      }
      if (status === 503 && typeof response === 'object' && response && 'checks' in response) {
        // Readiness: say which dependency is down (names and booleans only).
        return [status, { error: { code: 'unavailable', message: 'not ready', details: { checks: (response as { checks: unknown }).checks } } }];
      }
      const message = typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? e.message);
      return [status, { error: { code: codeFor(status), message: Array.isArray(message) ? message.join('; ') : String(message) } }];
    }
    // body-parser errors arrive as plain errors with a status (413 too large, 400 bad JSON).
    const withStatus = e as { status?: number; type?: string; message?: string; limit?: number };
    if (typeof withStatus?.status === 'number' && withStatus.status >= 400 && withStatus.status < 500) {
      const message =
        withStatus.type === 'entity.too.large'
          ? `request body exceeds the limit of ${withStatus.limit} bytes`
          : withStatus.type === 'entity.parse.failed'
            ? 'request body is not valid JSON'
            : (withStatus.message ?? 'bad request');
      return [withStatus.status, { error: { code: codeFor(withStatus.status), message } }];
    }
    if (e instanceof QueryError) return [statusOf(e.code), { error: { code: e.code, message: e.message, ...(e.details && Object.keys(e.details).length ? { details: e.details } : {}) } }];
    if (e instanceof CommandTimeoutError) return [504, { error: { code: 'timeout', message: e.message, details: { commandId: e.commandId } } }];
    return [500, { error: { code: 'internal', message: 'internal error' } }];
  }
}

function codeFor(status: number): string {
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
    default:
      return status >= 500 ? 'internal' : 'bad_request';
  }
}
