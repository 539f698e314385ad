import { Module, type DynamicModule } from '@nestjs/common';
import { RUNNER_HTTP, type RunnerHttpDeps } from './runner-http.deps';
import { RunnerController } from './runner.controller';
import { RunnerSecretGuard } from './runner-secret.guard';

/** The runner's routes beside health, wired to the objects `main` built. */
@Module({})
export class RunnerHttpModule {
  static with(deps: RunnerHttpDeps, lifecycle: object): DynamicModule {
    return {
      module: RunnerHttpModule,
      controllers: [RunnerController],
      providers: [{ provide: RUNNER_HTTP, useValue: deps }, RunnerSecretGuard, { provide: 'RUNNER_LIFECYCLE', useValue: lifecycle }],
    };
  }
}
