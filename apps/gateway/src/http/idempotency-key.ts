import { ApiError } from './api-error';

/** `Idempotency-Key`: optional; when given it becomes the command id (printable ASCII, 1–200). */
export const IdempotencyKey = {
  parse(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    if (!/^[\x21-\x7e]{1,200}$/.test(value)) {
      throw ApiError.validation([{ path: 'Idempotency-Key', message: 'must be 1 to 200 printable ASCII characters' }]);
    }
    return value;
  },
};
