import { Module } from '@nestjs/common';
import { Broker, QueryClient } from '@baton/event-store';
import { createLogger, loadConfig } from '@baton/service-kit';
import { heartbeatUrls, RunnerDirectory, RunnerProxyConfigSchema } from '../review/runner-directory';
import { Memberships } from '../membership/memberships';
import { LiveGateway } from './live.gateway';
import { loadLiveConfig } from './live.config';
import { LiveRuntime } from './live-runtime';

/**
 * The live layer: socket.io rooms fed by one follower of the event log, terminals fed by
 * their JetStream chunks. Broker, QueryClient, Authenticator, AgentAuthenticator and Memberships are global.
 */
@Module({
  providers: [
    {
      provide: LiveRuntime,
      inject: [Broker, QueryClient, Memberships],
      useFactory: (broker: Broker, queries: QueryClient, memberships: Memberships) =>
        new LiveRuntime(
          broker,
          queries,
          loadLiveConfig(),
          RunnerDirectory.fromConfig(loadConfig(RunnerProxyConfigSchema), heartbeatUrls(broker)),
          createLogger('gateway', process.env.LOG_LEVEL ?? 'info').child({ part: 'live' }),
          memberships,
        ),
    },
    LiveGateway,
  ],
})
export class LiveModule {}
