import { Global, Module } from '@nestjs/common';
import { QueryClient } from '@baton/event-store';
import { Memberships } from './memberships';

/** Users' project memberships, for REST (ApiModule) and the live socket (LiveModule) alike. */
@Global()
@Module({
  providers: [{ provide: Memberships, inject: [QueryClient], useFactory: (queries: QueryClient) => new Memberships(queries) }],
  exports: [Memberships],
})
export class MembershipModule {}
