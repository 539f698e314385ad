import { Global, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Broker } from '@baton/event-store';
import { loadConfig } from '@baton/service-kit';
import { AgentAuthConfigSchema } from './agent-auth.config';
import { AgentAuthenticator } from './agent-authenticator';
import { AgentTokenPublicKey } from './agent-token-public-key';
import { EndedSessions } from './ended-sessions';

/**
 * Session-token authentication for the auth guard. Global, so the guard (provided by the
 * root module) can inject it wherever this module is imported.
 */
@Global()
@Module({
  providers: [
    {
      provide: AgentTokenPublicKey,
      inject: [Broker],
      useFactory: (broker: Broker) => new AgentTokenPublicKey(broker, loadConfig(AgentAuthConfigSchema).BATON_AGENT_TOKEN_PUBLIC_KEY),
    },
    { provide: EndedSessions, inject: [Broker], useFactory: (broker: Broker) => new EndedSessions(broker) },
    { provide: AgentAuthenticator, inject: [AgentTokenPublicKey, EndedSessions], useFactory: (key: AgentTokenPublicKey, ended: EndedSessions) => new AgentAuthenticator(key, ended) },
  ],
  exports: [AgentTokenPublicKey, EndedSessions, AgentAuthenticator],
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
