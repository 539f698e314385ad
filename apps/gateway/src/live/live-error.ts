import { describeIssues } from '@baton/events';
import type { LiveErrorCode, LiveErrorMessage } from '@baton/contracts';
import type { z } from 'zod';

/** A failure a client is told about as an `error` event; anything else is `internal`. */
export class LiveError extends Error {
  constructor(
    readonly code: LiveErrorCode,
    message: string,
    readonly fields?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'LiveError';
  }

  static validation(error: z.ZodError): LiveError {
    const fields = describeIssues(error);
    return new LiveError('validation', fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields);
  }

  toMessage(): LiveErrorMessage {
    return { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) };
  }
}
