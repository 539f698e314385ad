import { Module } from '@nestjs/common';
import { Broker, QueryClient } from '@baton/event-store';
import { createLogger, loadConfig } from '@baton/service-kit';
import { heartbeatUrls, RunnerDirectory, RunnerProxyConfigSchema } from '../review/runner-directory';
import { LiveGateway } from './live.gateway';
import { loadLiveConfig } from './live.config';
import { LiveRuntime } from './live-runtime';

/**
 * The live layer: socket.io rooms fed by one follower of the event log, terminals fed by
 * their JetStream chunks. Broker, QueryClient, Authenticator and AgentAuthenticator are global.
 */
@Module({
  providers: [
    {
      provide: LiveRuntime,
      inject: [Broker, QueryClient],
      useFactory: (broker: Broker, queries: QueryClient) =>
        new LiveRuntime(broker, queries, loadLiveConfig(), RunnerDirectory.fromConfig(loadConfig(RunnerProxyConfigSchema), heartbeatUrls(broker)), createLogger('gateway', process.env.LOG_LEVEL ?? 'info').child({ part: 'live' })),
    },
    LiveGateway,
  ],
})
export class LiveModule {}
