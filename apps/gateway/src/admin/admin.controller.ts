import { Controller, Inject } from '@nestjs/common';
import type { BodyOf, ParamsOf } from '../openapi/route';
import { Route, RouteBody, RouteParams } from '../openapi/route.decorators';
import { AdminRoutes as R } from '../openapi/routes/admin.routes';
import { AdminClient } from './admin-client';
import { ADMIN_SERVICES, type ReadModelList as ReadModelListSchema, type ReadModelProgress, type RebuildResult, type StreamsReport, type VerifyReport } from '@baton/contracts';
import type { z } from 'zod';

/** Read models and streams of the installation, for admins; every answer comes from the owning service or JetStream. */
@Controller()
export class AdminController {
  constructor(@Inject(AdminClient) private readonly admin: AdminClient) {}

  @Route(R.adminStreams)
  streams(): Promise<StreamsReport> {
    return this.admin.streams();
  }

  @Route(R.adminReadModels)
  async readModels(): Promise<z.output<typeof ReadModelListSchema>> {
    return { services: await this.admin.readModels() };
  }

  @Route(R.adminReadModel)
  readModel(@RouteParams(R.adminReadModel) p: ParamsOf<typeof R.adminReadModel>): Promise<ReadModelProgress> {
    return this.admin.readModel(p.service, p.name);
  }

  @Route(R.rebuildReadModel)
  rebuild(@RouteParams(R.rebuildReadModel) p: ParamsOf<typeof R.rebuildReadModel>, @RouteBody(R.rebuildReadModel) body: BodyOf<typeof R.rebuildReadModel>): Promise<RebuildResult> {
    return this.admin.rebuild(p.service, p.name, body?.waitMs ?? 20_000);
  }

  @Route(R.verifyReadModels)
  verify(@RouteBody(R.verifyReadModels) body: BodyOf<typeof R.verifyReadModels>): Promise<VerifyReport> {
    return this.admin.verify(body?.services ?? ADMIN_SERVICES, body?.sampleSize ?? 10);
  }
}
