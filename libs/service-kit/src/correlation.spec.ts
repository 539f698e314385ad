import { correlationIdFrom, correlationMiddleware, logContext } from './correlation';
import type { IncomingMessage, ServerResponse } from 'node:http';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe(correlationIdFrom.name, () => {
  it.each(['abc', 'req-42', '01J0ABCDEF:step.2', 'a'.repeat(128)])('takes the client’s %s', (id) => {
    expect(correlationIdFrom(id)).toBe(id);
  });

  it.each([undefined, '', ' lead', 'with space', 'quo"te', 'new\nline', 'a'.repeat(129), '-dash-first', 'ünï'])('makes one instead of %p', (id) => {
    expect(correlationIdFrom(id)).toMatch(ULID);
  });

  it('takes the first of repeated headers', () => {
    expect(correlationIdFrom(['one', 'two'])).toBe('one');
  });
});

describe(correlationMiddleware.name, () => {
  it('answers the id and runs the rest of the request in its context', () => {
    const headers: Record<string, string> = {};
    const req = { headers: { 'x-correlation-id': 'client-7' } } as unknown as IncomingMessage;
    const res = { setHeader: (k: string, v: string) => (headers[k] = v) } as unknown as ServerResponse;
    let seen: unknown;
    correlationMiddleware()(req, res, () => (seen = logContext.current()));
    expect(headers).toEqual({ 'X-Correlation-Id': 'client-7' });
    expect(seen).toEqual({ correlationId: 'client-7' });
    expect(logContext.current()).toBeUndefined();
  });
});
