import { IdParams, ImportAccepted, ImportQuery, ReadQuery, TaskTreeSchema } from '@baton/contracts';
import { route } from '../route';

const tag = 'transfer';

export const TransferRoutes = {
  exportTaskTree: route({
    tag,
    operationId: 'exportTaskTree',
    method: 'get',
    path: '/api/projects/:id/export',
    summary: "Export a project's plan: its task tree, dependencies and details",
    description: 'Tasks are named by refs local to the document; statuses, attempts and history are not part of a plan.',
    params: IdParams,
    query: ReadQuery,
    status: 200,
    response: TaskTreeSchema,
    queries: ['get_project', 'export_task_tree'],
  }),
  importTaskTree: route({
    tag,
    idempotent: true,
    operationId: 'importTaskTree',
    method: 'post',
    path: '/api/projects/:id/import',
    summary: 'Import a plan into a project',
    description:
      'The whole document is checked first (schema, unique refs, known dependencies, no cycle): a bad one is a 400 naming the path and sends nothing. ' +
      'Then one command per task and per forward dependency; import(export(x)) exports as x. Under an Idempotency-Key a retry completes an interrupted import.',
    params: IdParams,
    query: ImportQuery,
    body: TaskTreeSchema,
    status: 201,
    response: ImportAccepted,
    errors: [409, 422],
    commands: ['task.create', 'task.add_dependency'],
  }),
};
