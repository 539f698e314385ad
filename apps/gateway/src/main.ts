import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Broker, CommandBus, QueryClient } from '@baton/event-store';
import { BaseConfigSchema, createLogger, loadConfig, ServiceMetrics, startHttpApp, topologyOf } from '@baton/service-kit';
import { z } from 'zod';
import { join } from 'node:path';
import { ClientAddress, parseTrustProxy, type TrustProxy } from './http/client-address';
import { ErrorFilter } from './http/error.filter';
import { securityHeaders } from './http/security-headers';
import { serveWebApp } from './http/web-app';
import { schemaValidationPipe } from './http/zod-body';
import { ApiModule } from './api.module';
import { AuthGuard } from './auth/auth.guard';
import { Authenticator } from './auth/authenticator';
import { ensureBootstrapAdmin } from './auth/bootstrap-admin';
import { FailedAuthLimiter } from './auth/failed-auth-limiter';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { LiveModule } from './live/live.module';
import { MembershipModule } from './membership/membership.module';

async function main(): Promise<void> {
  const config = loadConfig(
    BaseConfigSchema.extend({
      PORT: BaseConfigSchema.shape.PORT.default(3100),
      BODY_LIMIT: z.string().default('256kb'),
      WEB_DIST: z.string().default(join(__dirname, '../../web/dist')),
      BATON_BOOTSTRAP_TOKEN: z.string().regex(/^[\x21-\x7e]{16,512}$/, 'must be 16 to 512 printable characters').optional(),
      /** Refused tokens one client address may present in a burst before it gets 429 … */
      BATON_AUTH_FAIL_LIMIT: z.coerce.number().int().min(1).max(100_000).default(20),
      /** … and the seconds in which that many are forgiven again. */
      BATON_AUTH_FAIL_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
      /** Express's `trust proxy`: which X-Forwarded-For hops name the client (false: the peer is the client). */
      BATON_TRUST_PROXY: z.string().default('false'),
    }),
  );
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const broker = await Broker.connect({ servers: config.NATS_URL, namespace: config.BATON_NAMESPACE, name: 'gateway' });
  await broker.ensureTopology(topologyOf(config));

  const metrics = new ServiceMetrics('gateway');
  const commands = new CommandBus(broker, metrics.commandStageObserver());
  const queries = new QueryClient(broker);
  const limiter = new FailedAuthLimiter({ limit: config.BATON_AUTH_FAIL_LIMIT, windowMs: config.BATON_AUTH_FAIL_WINDOW_S * 1000 });
  const clients = new ClientAddress();

  @Global()
  @Module({
    providers: [
      { provide: Broker, useValue: broker },
      { provide: CommandBus, useValue: commands },
      { provide: QueryClient, useValue: queries },
      { provide: Authenticator, useValue: new Authenticator(queries) },
      { provide: FailedAuthLimiter, useValue: limiter },
      { provide: ClientAddress, useValue: clients },
      { provide: APP_GUARD, useClass: AuthGuard },
    ],
    exports: [Broker, CommandBus, QueryClient, Authenticator, FailedAuthLimiter, ClientAddress],
  })
  class GatewayCoreModule {}

  await startHttpApp('gateway', {
    imports: [GatewayCoreModule, MembershipModule, ApiModule, LiveModule],
    port: config.PORT,
    host: config.HOST,
    logger,
    metrics,
    readiness: async () => ({ nats: !broker.nc.isClosed() && (await broker.nc.flush().then(() => true, () => false)) }),
    edge: [securityHeaders()],
    configure: (app) => {
      const express = app as NestExpressApplication;
      express.set('trust proxy', parseTrustProxy(config.BATON_TRUST_PROXY));
      clients.use((express.getHttpAdapter().getInstance() as { get(setting: string): unknown }).get('trust proxy fn') as TrustProxy);
      express.useBodyParser('json', { limit: config.BODY_LIMIT });
      express.disable('x-powered-by');
      serveWebApp(express, config.WEB_DIST);
      app.useGlobalPipes(schemaValidationPipe);
      app.useGlobalFilters(new ErrorFilter(logger));
      app.useWebSocketAdapter(new IoAdapter(app));
    },
    onListening: async () => {
      void ensureBootstrapAdmin(commands, queries, logger, config.BATON_BOOTSTRAP_TOKEN);
    },
    onShutdown: () => broker.close(),
  });
}

main().catch((e) => {
  process.stderr.write(`gateway failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
