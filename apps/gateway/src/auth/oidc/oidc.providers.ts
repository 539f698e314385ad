import type { Provider } from '@nestjs/common';
import { CommandBus, QueryClient } from '@baton/event-store';
import { createLogger, loadConfig } from '@baton/service-kit';
import { OIDC_LOGGER } from './oidc.controller';
import { oidcEnv, OidcEnvSchema, oidcSettings } from './oidc.config';
import { OidcProviderClient } from './oidc-provider-client';
import { OidcSignIn } from './oidc-sign-in';

/** Single sign-on when BATON_OIDC_ISSUER is set (else null: tokens only). Checked at boot: a bad setting stops the gateway, naming it. */
export const OIDC_PROVIDERS: Provider[] = [
  {
    provide: OidcSignIn,
    inject: [CommandBus, QueryClient],
    useFactory: (commands: CommandBus, queries: QueryClient) => {
      let settings: ReturnType<typeof oidcSettings>;
      try {
        settings = oidcSettings(loadConfig(OidcEnvSchema, oidcEnv(process.env)));
      } catch (e) {
        process.stderr.write(`invalid configuration:\n  ${(e as Error).message}\n`);
        process.exit(2);
      }
      return settings ? new OidcSignIn(settings, new OidcProviderClient(settings), commands, queries) : null;
    },
  },
  { provide: OIDC_LOGGER, useFactory: () => createLogger('gateway', process.env.LOG_LEVEL ?? 'info').child({ part: 'oidc' }) },
];
