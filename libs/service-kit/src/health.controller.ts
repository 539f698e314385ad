import { Controller, Get, HttpCode, Inject, ServiceUnavailableException } from '@nestjs/common';

export const READINESS = Symbol('READINESS');
export type ReadinessCheck = () => Promise<Record<string, boolean>>;

/** Liveness says the process answers; readiness says its NATS and Postgres do too. */
@Controller('health')
export class HealthController {
  constructor(@Inject(READINESS) private readonly ready: ReadinessCheck) {}

  @Get()
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('live')
  @HttpCode(200)
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async readiness(): Promise<{ status: 'ready'; checks: Record<string, boolean> }> {
    const checks = await this.ready();
    if (Object.values(checks).some((ok) => !ok)) throw new ServiceUnavailableException({ status: 'not_ready', checks });
    return { status: 'ready', checks };
  }
}
