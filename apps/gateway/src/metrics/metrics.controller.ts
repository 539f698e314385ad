import { Controller, Inject } from '@nestjs/common';
import { QueryClient } from '@baton/event-store';
import type { ProjectMetrics } from '@baton/contracts';
import type { ParamsOf, QueryOf } from '../openapi/route';
import { Route, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { MetricsRoutes as R } from '../openapi/routes/metrics.routes';
import { projectMetricsCsv } from './metrics-csv';

/** Metrics are computed on demand by the tasks service; the CSV is the same figures, flattened. */
@Controller()
export class MetricsController {
  constructor(@Inject(QueryClient) private readonly queries: QueryClient) {}

  @Route(R.projectMetrics)
  project(@RouteParams(R.projectMetrics) p: ParamsOf<typeof R.projectMetrics>, @RouteQuery(R.projectMetrics) q: QueryOf<typeof R.projectMetrics>): Promise<ProjectMetrics> {
    return this.metrics(p.id, q.minSeq);
  }

  @Route(R.projectMetricsCsv)
  async csv(@RouteParams(R.projectMetricsCsv) p: ParamsOf<typeof R.projectMetricsCsv>, @RouteQuery(R.projectMetricsCsv) q: QueryOf<typeof R.projectMetricsCsv>): Promise<string> {
    return projectMetricsCsv(await this.metrics(p.id, q.minSeq));
  }

  @Route(R.promptMetrics)
  prompts(@RouteQuery(R.promptMetrics) q: QueryOf<typeof R.promptMetrics>): Promise<unknown> {
    const { minSeq, ...params } = q;
    return this.queries.ask('tasks', 'prompt_version_metrics', params, { minSeq });
  }

  private async metrics(projectId: string, minSeq: number): Promise<ProjectMetrics> {
    const [, metrics] = await Promise.all([
      this.queries.ask('tasks', 'get_project', { id: projectId }, { minSeq }),
      this.queries.ask<ProjectMetrics>('tasks', 'project_metrics', { projectId }, { minSeq }),
    ]);
    return metrics;
  }
}
