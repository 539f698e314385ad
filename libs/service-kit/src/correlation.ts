import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setAmbientCorrelation, ulidFactory } from '@baton/event-store';

/** What every log line written while handling one request or command carries. */
export interface LogContext {
  correlationId: string;
  commandId?: string;
  commandType?: string;
}

const storage = new AsyncLocalStorage<LogContext>();
const newId = ulidFactory();

// A command sent while handling a request (or another command) carries its correlation id.
setAmbientCorrelation(() => storage.getStore()?.correlationId);

export const CORRELATION_HEADER = 'X-Correlation-Id';

/** A client's id is taken as it is when it is short and plain: no spaces, quotes or control characters. */
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}$/;

export const logContext = {
  current(): LogContext | undefined {
    return storage.getStore();
  },
  run<T>(context: LogContext, work: () => T): T {
    return storage.run(context, work);
  },
};

/** The client's `X-Correlation-Id` when it is valid, else a new one. */
export function correlationIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && CLIENT_ID.test(value) ? value : newId();
}

const CONTEXT = Symbol('baton.logContext');
interface WithContext {
  [CONTEXT]?: LogContext;
}

/**
 * First middleware of every HTTP app: takes the client's `X-Correlation-Id` (or makes one),
 * answers it in the same header, and runs the request inside its log context.
 */
export function correlationMiddleware() {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const context: LogContext = { correlationId: correlationIdFrom(req.headers['x-correlation-id']) };
    (req as IncomingMessage & WithContext)[CONTEXT] = context;
    res.setHeader(CORRELATION_HEADER, context.correlationId);
    storage.run(context, next);
  };
}

/**
 * Enters the request's context again after the body parsers: a body read in several chunks
 * resumes in the socket's async context, not the request's.
 */
export function reenterCorrelation(req: IncomingMessage, _res: ServerResponse, next: () => void): void {
  const context = (req as IncomingMessage & WithContext)[CONTEXT];
  if (context) storage.run(context, next);
  else next();
}
