import { StandardSchemaValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ApiError, type FieldIssue } from './api-error';

function pathOf(issue: StandardSchemaV1.Issue): string {
  const parts = (issue.path ?? []).map((p) => (typeof p === 'object' ? p.key : p));
  return parts.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function fieldsOf(issues: readonly StandardSchemaV1.Issue[]): FieldIssue[] {
  return issues.flatMap((issue) => {
    const keys = (issue as { keys?: string[] }).keys;
    const base = pathOf(issue);
    if (Array.isArray(keys) && keys.length) return keys.map((k) => ({ path: base ? `${base}.${k}` : k, message: 'unknown field' }));
    return [{ path: base, message: issue.message }];
  });
}

/**
 * Nest 12's Standard Schema pipe with Baton's error shape: 400 naming each field.
 * A whole-value failure (a path parameter, a missing body) is named after the
 * parameter it came from.
 */
export class SchemaValidationPipe extends StandardSchemaValidationPipe {
  constructor() {
    super({ exceptionFactory: (issues) => ApiError.validation(fieldsOf(issues)) });
  }

  override async transform<T = unknown>(value: T, metadata: ArgumentMetadata): Promise<T> {
    try {
      return await super.transform(value, metadata);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const body = e.getResponse() as { error: { fields: FieldIssue[] } };
      const where = metadata.type === 'body' ? '(body)' : (metadata.data ?? metadata.type);
      const fields = body.error.fields.map((f) => ({ ...f, path: f.path || where }));
      throw ApiError.validation(fields);
    }
  }
}

export const schemaValidationPipe = new SchemaValidationPipe();
