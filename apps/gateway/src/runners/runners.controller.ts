import { Controller, Inject } from '@nestjs/common';
import { DrainRunner, SetRunnerCapacity, type Actor } from '@baton/events';
import { QueryClient } from '@baton/event-store';
import type { CommandAccepted, RunnerView } from '@baton/contracts';
import { CurrentActor } from '../auth/auth.decorators';
import { CommandSender } from '../openapi/edge';
import type { BodyOf, ParamsOf, QueryOf } from '../openapi/route';
import { IdemKey, Route, RouteBody, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { RunnerRoutes as R } from '../openapi/routes/runners.routes';
import { RunnerLiveness } from './runner-liveness';

type RunnerRow = Omit<RunnerView, 'alive' | 'lastHeartbeatAt'>;

/** Runner machines: registration from the sessions service, liveness from their heartbeats. An unknown runner's decider answers 404. */
@Controller()
export class RunnersController {
  constructor(
    @Inject(CommandSender) private readonly commands: CommandSender,
    @Inject(QueryClient) private readonly queries: QueryClient,
    @Inject(RunnerLiveness) private readonly liveness: RunnerLiveness,
  ) {}

  @Route(R.listRunners)
  async list(@RouteQuery(R.listRunners) q: QueryOf<typeof R.listRunners>): Promise<RunnerView[]> {
    const rows = await this.queries.ask<RunnerRow[]>('sessions', 'list_runners', q.status ? { status: q.status } : {}, { minSeq: q.minSeq });
    return this.withLiveness(rows);
  }

  @Route(R.getRunner)
  async get(@RouteParams(R.getRunner) p: ParamsOf<typeof R.getRunner>, @RouteQuery(R.getRunner) q: QueryOf<typeof R.getRunner>): Promise<RunnerView> {
    const row = await this.queries.ask<RunnerRow>('sessions', 'get_runner', { id: p.id }, { minSeq: q.minSeq });
    return (await this.withLiveness([row]))[0];
  }

  @Route(R.drainRunner)
  async drain(
    @RouteParams(R.drainRunner) p: ParamsOf<typeof R.drainRunner>,
    @RouteBody(R.drainRunner) body: BodyOf<typeof R.drainRunner>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    return this.commands.send(DrainRunner, { runnerId: p.id, ...(body ?? {}) }, { actor, key }, p.id);
  }

  @Route(R.setRunnerCapacity)
  async capacity(
    @RouteParams(R.setRunnerCapacity) p: ParamsOf<typeof R.setRunnerCapacity>,
    @RouteBody(R.setRunnerCapacity) body: BodyOf<typeof R.setRunnerCapacity>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    return this.commands.send(SetRunnerCapacity, { runnerId: p.id, ...body }, { actor, key }, p.id);
  }

  private async withLiveness(rows: RunnerRow[]): Promise<RunnerView[]> {
    const live = await this.liveness.of(rows.map((r) => r.id));
    return rows.map((r) => ({ ...r, ...(live.get(r.id) ?? { alive: false, lastHeartbeatAt: null }) }));
  }
}
