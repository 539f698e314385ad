/** Someone appended to the aggregate after we read it (JetStream 10071, wrong last sequence). */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  constructor(
    readonly subject: string,
    readonly expectedLastSeq: number,
  ) {
    super(`concurrent append to ${subject}: expected last sequence ${expectedLastSeq}`);
  }
}

/** The owning service did not answer in time; the command may or may not have been applied. */
export class CommandTimeoutError extends Error {
  override readonly name = 'CommandTimeoutError';
  constructor(readonly commandId: string, timeoutMs: number) {
    super(`no answer for command ${commandId} within ${timeoutMs} ms; resend with the same id to learn its outcome`);
  }
}

export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
