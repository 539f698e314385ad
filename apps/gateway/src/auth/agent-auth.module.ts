import { Global, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { z } from 'zod';
import { Broker } from '@baton/event-store';
import { MIN_AGENT_TOKEN_SECRET_LENGTH } from '@baton/agent-auth';
import { loadConfig } from '@baton/service-kit';
import { AgentAuthenticator } from './agent-authenticator';
import { AgentTokenSecret } from './agent-token-secret';
import { EndedSessions } from './ended-sessions';

/** Read at boot: a secret that is set but too short stops the gateway, naming the variable. */
export const AgentAuthConfigSchema = z.object({
  BATON_AGENT_TOKEN_SECRET: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().min(MIN_AGENT_TOKEN_SECRET_LENGTH, `must be at least ${MIN_AGENT_TOKEN_SECRET_LENGTH} characters`).optional(),
  ),
});

/**
 * Session-token authentication for the auth guard. Global, so the guard (provided by the
 * root module) can inject it wherever this module is imported.
 */
@Global()
@Module({
  providers: [
    {
      provide: AgentTokenSecret,
      inject: [Broker],
      useFactory: (broker: Broker) => new AgentTokenSecret(broker, loadConfig(AgentAuthConfigSchema).BATON_AGENT_TOKEN_SECRET),
    },
    { provide: EndedSessions, inject: [Broker], useFactory: (broker: Broker) => new EndedSessions(broker) },
    { provide: AgentAuthenticator, inject: [AgentTokenSecret, EndedSessions], useFactory: (secret: AgentTokenSecret, ended: EndedSessions) => new AgentAuthenticator(secret, ended) },
  ],
  exports: [AgentTokenSecret, EndedSessions, AgentAuthenticator],
})
export class AgentAuthModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(EndedSessions) private readonly ended: EndedSessions) {}

  /** Mirrors the ended sessions early (not only at the first agent request); a miss retries on use. */
  onApplicationBootstrap(): void {
    void this.ended.start();
  }

  onApplicationShutdown(): void {
    this.ended.stop();
  }
}
