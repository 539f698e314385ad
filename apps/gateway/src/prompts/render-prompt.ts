import { QueryClient, QueryError } from '@baton/event-store';
import { ApiError } from '../http/api-error';

export interface Rendered {
  promptVersionId: string;
  taskId: string;
  text: string;
}

/**
 * Asks the tasks service to render a version for a task. A value that is missing or not
 * declared comes back as a 400 naming it under `field` (`values.tone`), like any other input.
 */
export async function renderPrompt(
  queries: QueryClient,
  params: { promptVersionId: string; taskId: string; values: Record<string, string> },
  minSeq: number,
  field: string,
): Promise<Rendered> {
  try {
    return await queries.ask<Rendered>('tasks', 'render_prompt', params, { minSeq });
  } catch (e) {
    if (!(e instanceof QueryError) || e.code !== 'validation') throw e;
    const variables = e.details?.variables;
    if (!Array.isArray(variables) || !variables.length) throw e;
    throw new ApiError(400, 'validation', e.message, {
      fields: variables.map((v) => ({ path: `${field}.${String(v)}`, message: e.message })),
      details: e.details,
    });
  }
}
