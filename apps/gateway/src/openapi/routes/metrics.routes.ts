import { IdParams, ProjectMetrics, PromptMetricsList, PromptMetricsQuery, ReadQuery } from '@baton/contracts';
import { route } from '../route';

const tag = 'metrics';

export const MetricsRoutes = {
  projectMetrics: route({
    tag,
    operationId: 'projectMetrics',
    method: 'get',
    path: '/api/projects/:id/metrics',
    summary: "A project's metrics",
    description: 'Tasks by status; time to done (mean, p90); failure rate; attempts and sessions per task. Rates count tasks without subtasks.',
    params: IdParams,
    query: ReadQuery,
    status: 200,
    response: ProjectMetrics,
    queries: ['get_project', 'project_metrics'],
  }),
  projectMetricsCsv: route({
    tag,
    operationId: 'projectMetricsCsv',
    method: 'get',
    path: '/api/projects/:id/metrics.csv',
    summary: "A project's metrics as CSV",
    params: IdParams,
    query: ReadQuery,
    status: 200,
    response: { mediaType: 'text/csv', description: '`metric,value` rows, one per figure (durations in milliseconds; empty when there is no data).' },
    queries: ['get_project', 'project_metrics'],
  }),
  promptMetrics: route({
    tag,
    operationId: 'promptMetrics',
    method: 'get',
    path: '/api/prompt-metrics',
    summary: 'Metrics per prompt version, for a project or a template',
    query: PromptMetricsQuery,
    status: 200,
    response: PromptMetricsList,
    queries: ['prompt_version_metrics'],
  }),
};
