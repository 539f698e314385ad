import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplication, type MiddlewareConsumer, type NestModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as PinoLogger } from 'pino';
import { correlationMiddleware, reenterCorrelation } from './correlation';
import { HealthController, READINESS, type ReadinessCheck } from './health.controller';
import { NestPinoLogger } from './logger';
import { httpMetricsMiddleware, metricsHandler, ServiceMetrics } from './metrics';

export interface HttpAppOptions {
  /** Extra modules (controllers, gateways) of the app. */
  imports?: (Type | DynamicModule)[];
  readiness: ReadinessCheck;
  port: number;
  host: string;
  logger: PinoLogger;
  /** The process's metrics, served at `/metrics`; one is made (process and HTTP metrics) when absent. */
  metrics?: ServiceMetrics;
  /** Runs before everything else on every HTTP answer, `/metrics` and `/health` included (security headers). */
  edge?: ((req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void)[];
  configure?: (app: INestApplication) => void | Promise<void>;
  /** Runs after the app is listening: consumers start here, never before init. */
  onListening?: () => Promise<void>;
  onShutdown?: () => Promise<void>;
}

/**
 * A Nest HTTP app with health endpoints, `/metrics`, pino logs carrying each request's
 * correlation id, and clean shutdown on SIGTERM/SIGINT.
 */
export async function startHttpApp(name: string, opts: HttpAppOptions): Promise<INestApplication> {
  @Module({
    imports: opts.imports ?? [],
    controllers: [HealthController],
    providers: [{ provide: READINESS, useValue: opts.readiness }],
  })
  class RootModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      // Runs after the body parsers, before guards: see `reenterCorrelation`.
      consumer.apply(reenterCorrelation).forRoutes('*');
    }
  }
  Object.defineProperty(RootModule, 'name', { value: `${name}RootModule` });

  const metrics = opts.metrics ?? new ServiceMetrics(name);
  const app = await NestFactory.create(RootModule, { logger: new NestPinoLogger(opts.logger), bufferLogs: false });
  for (const handler of opts.edge ?? []) app.use(handler);
  // Before anything the app adds: every request is timed and gets its correlation id, and
  // /metrics is public (no guard sees it) like /health.
  app.use(httpMetricsMiddleware(metrics, opts.logger));
  app.use(correlationMiddleware());
  app.getHttpAdapter().get('/metrics', metricsHandler(metrics));
  await opts.configure?.(app);
  // Not app.enableShutdownHooks(): Nest's handler re-raises the signal after close() and the
  // process dies before our own stop (consumers, drain) has run. The handler below calls
  // app.close() itself, which runs every Nest shutdown hook, then stops the runtime.
  await app.listen(opts.port, opts.host);
  await opts.onListening?.();
  const url = await app.getUrl();
  opts.logger.info({ url }, `${name} listening`);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    opts.logger.info({ signal }, `${name} stopping`);
    await app.close().catch(() => undefined);
    await opts.onShutdown?.().catch((e) => opts.logger.error({ err: e }, 'shutdown failed'));
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return app;
}
